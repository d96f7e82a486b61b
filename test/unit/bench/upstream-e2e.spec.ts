import { expect } from 'chai';
import { ORDINAL_ONLY, ORDINAL_RUNS, UPSTREAM_SPECS } from '../../../bench/upstream-e2e/mapping.ts';
import {
  buildRows,
  type GinkgoReport,
  type GinkgoSpecReport,
  markdown,
  type OrdinalRun,
  specName,
  summarize,
} from '../../../bench/upstream-e2e/table.ts';
import { CHECKS } from '../../../lib/checks/catalog.ts';

const SIG = '[sig-apps] StatefulSet';
const BASIC = 'Basic StatefulSet functionality [StatefulSetBasic]';

function spec(containers: string[], leaf: string, state: string, seconds: number, failure?: string): GinkgoSpecReport {
  return {
    ContainerHierarchyTexts: containers,
    LeafNodeText: leaf,
    LeafNodeType: 'It',
    State: state,
    RunTime: seconds * 1e9,
    ...(failure ? { Failure: { Message: failure } } : {}),
  };
}

const ordinal: OrdinalRun[] = [
  {
    name: 'web',
    command: 'ordinal run --workload web',
    wallSeconds: 21.04,
    exitCode: 0,
    checks: { 'STS-ORDER-CREATE': 'passed', 'STS-IDENTITY': 'passed', 'STS-PVC-BINDING': 'passed', 'STS-DATA-SENTINEL': 'failed' },
  },
  {
    name: 'primary-replica',
    command: 'ordinal run --workload primary-replica',
    wallSeconds: 30,
    exitCode: 0,
    checks: { 'STS-TOPOLOGY-PRIMARY': 'passed' },
  },
];

describe('upstream e2e bench: mapping', () => {
  const known = new Set(CHECKS.map((c) => c.id));

  it('names only check IDs of the catalog', () => {
    const used = [...UPSTREAM_SPECS.flatMap((s) => s.checks), ...ORDINAL_ONLY.flatMap((o) => o.checks)];
    expect(used.filter((id) => !known.has(id))).to.deep.equal([]);
  });

  it('names an Ordinal run of ORDINAL_RUNS for every spec with checks', () => {
    for (const s of UPSTREAM_SPECS) if (s.run) expect(Object.keys(ORDINAL_RUNS), s.spec).to.include(s.run);
  });

  it('says `none` exactly when it lists no check, and names each spec once', () => {
    for (const s of UPSTREAM_SPECS) expect(s.coverage === 'none', s.spec).to.equal(s.checks.length === 0);
    expect(new Set(UPSTREAM_SPECS.map((s) => s.spec)).size).to.equal(UPSTREAM_SPECS.length);
  });
});

describe('upstream e2e bench: table', () => {
  const main: GinkgoReport = {
    SpecReports: [
      spec([SIG, BASIC], 'should provide basic identity', 'passed', 74.26),
      spec([SIG, BASIC], 'should have a working scale subresource [Conformance]', 'failed', 12, 'timed out\nwaiting'),
      spec(
        [SIG, 'Deploy clustered applications [Feature:StatefulSet] [Slow]'],
        'should creating a working zookeeper cluster',
        'skipped',
        0,
      ),
      spec(
        [SIG, 'Automatically recreate PVC for pending pod when PVC is missing'],
        'PVC should be recreated when pod is pending due to missing PVC [Disruptive] [Serial]',
        'skipped',
        0,
      ),
      spec([SIG, BASIC], 'should do something new', 'passed', 3),
      spec(['[sig-network] DNS'], 'should provide DNS for pods', 'skipped', 0),
    ],
  };
  const disruptive: GinkgoReport = {
    SpecReports: [
      spec([SIG, BASIC], 'should provide basic identity', 'skipped', 0),
      spec(
        [SIG, 'Automatically recreate PVC for pending pod when PVC is missing'],
        'PVC should be recreated when pod is pending due to missing PVC [Disruptive] [Serial]',
        'passed',
        40,
      ),
    ],
  };
  const rows = buildRows([main, disruptive], ordinal);
  const row = (name: string) => rows.find((r) => specName(r.spec) === name)!;

  it("takes each spec's Ordinal figures from the run its mapping names, not the default web run", () => {
    const rollback: OrdinalRun = {
      name: 'rollback',
      command: 'ordinal run --workload web --update rollback',
      wallSeconds: 44.44,
      exitCode: 0,
      checks: { 'STS-UPDATE-ROLLBACK': 'passed' },
    };
    const update = spec(
      [SIG, BASIC],
      'should perform rolling updates and roll backs of template modifications [Conformance]',
      'passed',
      80,
    );
    const r = buildRows([{ SpecReports: [update] }], [...ordinal, rollback]).find((x) =>
      x.spec.startsWith('should perform rolling updates and roll backs of template modifications ['),
    )!;
    expect([r.ordinalRun, r.ordinalSeconds, r.checkOutcomes['STS-UPDATE-ROLLBACK']]).to.deep.equal([rollback.command, 44.4, 'passed']);
    // Without that run the row says so instead of borrowing the web run's time.
    const alone = buildRows([{ SpecReports: [update] }], ordinal).find((x) => x.spec === r.spec)!;
    expect([alone.ordinalRun, alone.checkOutcomes['STS-UPDATE-ROLLBACK']]).to.deep.equal([null, 'not run']);
  });

  it('strips the labels ginkgo appends to a leaf text', () => {
    expect(specName('Burst scaling should run [Slow] [Conformance]')).to.equal('Burst scaling should run');
    expect(specName('Setting .start.ordinal')).to.equal('Setting .start.ordinal');
  });

  it('gives each StatefulSet spec its verdict and seconds, with the outcome of the checks covering it', () => {
    const identity = row('should provide basic identity');
    expect([identity.verdict, identity.seconds, identity.ordinalSeconds]).to.deep.equal(['passed', 74.3, 21]);
    expect(identity.checkOutcomes).to.deep.equal({
      'STS-ORDER-CREATE': 'passed',
      'STS-IDENTITY': 'passed',
      'STS-PVC-BINDING': 'passed',
      'STS-DATA-SENTINEL': 'failed',
    });
    const scale = row('should have a working scale subresource');
    expect([scale.verdict, scale.detail, scale.coverage]).to.deep.equal(['failed', 'timed out', 'none']);
  });

  it('takes a spec from the invocation that ran it, and says why the others were not run', () => {
    expect(row('PVC should be recreated when pod is pending due to missing PVC').verdict).to.equal('passed');
    const zk = row('should creating a working zookeeper cluster');
    expect([zk.verdict, zk.seconds, zk.ordinalRun]).to.deep.equal(['not run', null, 'ordinal run --workload primary-replica']);
    expect(zk.detail).to.include('public registries');
    expect(zk.checkOutcomes['STS-TOPOLOGY-PRIMARY']).to.equal('passed');
    expect(row('Setting .start.ordinal').verdict).to.equal('absent');
  });

  it('flags a spec the mapping does not know, and leaves other SIGs out', () => {
    expect(row('should do something new').coverage).to.equal('unmapped');
    expect(rows.some((r) => r.spec.includes('DNS for pods'))).to.equal(false);
    expect(summarize(rows, ordinal).uncovered).to.include('should do something new');
  });

  it('sums only the specs that ran, and escapes table cells', () => {
    const sum = summarize(rows, ordinal);
    expect([sum.run, sum.upstreamSeconds, sum.ordinalSeconds]).to.deep.equal([4, 129.3, 51]);
    const md = markdown(rows, ordinal, ['a | b']);
    expect(md).to.include('- a | b');
    expect(md).to.include('| failed: timed out | 12 |');
  });
});
