import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { CHECKS, runChecks } from '../../../lib/checks/catalog.ts';
import type { CheckDefinition, CheckInput } from '../../../lib/checks/api.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { MUTATIONS } from '../helpers/mutations.ts';
import { buildWebInput } from '../helpers/timeline-builder.ts';

const IDS = [
  'STS-ORDER-CREATE',
  'STS-ORDER-RECREATE',
  'STS-RECOVERY',
  'STS-IDENTITY',
  'STS-DNS-A',
  'STS-DNS-SRV',
  'STS-PVC-BINDING',
  'STS-DATA-SENTINEL',
  'STS-TOPOLOGY-PRIMARY',
  'STS-AT-MOST-ONE',
  'STS-ETCD-MEMBERSHIP',
  'STS-ORDER-SCALEDOWN',
  'STS-PVC-RETENTION',
  'STS-PDB',
  'STS-WRITES-DURABLE',
  'STS-LINEARIZABLE',
  'STS-BANK-INVARIANT',
  'STS-UPDATE-ORDER',
  'STS-UPDATE-PARTITION',
  'STS-UPDATE-ONDELETE',
  'STS-UPDATE-ROLLBACK',
];

// A run without an update phase skips these (checks-update*.spec.ts judge recordings with one).
const UPDATE = IDS.filter((id) => id.startsWith('STS-UPDATE-'));

describe('check catalog', () => {
  it('lists the fixed IDs in report order, each with a one-line guarantee', () => {
    expect(CHECKS.map((c) => c.id)).to.deep.equal(IDS);
    for (const c of CHECKS) expect(c.guarantee).to.match(/^[^\n]{10,}$/);
  });

  it('passes every check on a correct run, with evidence', () => {
    const results = runChecks(buildWebInput());
    expect(results.map((r) => r.id)).to.deep.equal(IDS);
    // The web workload has no primary/replica topology nor etcd members (checks/topology.spec.ts,
    // probes/etcd.spec.ts), the hand-built run deletes without a PodDisruptionBudget (checks/disruptions.spec.ts),
    // and it sends no register traffic (checks/linearizable.spec.ts).
    for (const r of results.filter((x) => [...UPDATE, 'STS-LINEARIZABLE', 'STS-BANK-INVARIANT'].includes(x.id)))
      expect(r.status, r.id).to.equal('skipped');
    for (const r of results.filter(
      (x) =>
        ![...UPDATE, 'STS-TOPOLOGY-PRIMARY', 'STS-PDB', 'STS-ETCD-MEMBERSHIP', 'STS-LINEARIZABLE', 'STS-BANK-INVARIANT'].includes(x.id),
    )) {
      expect(r.status, `${r.id}: ${r.message}`).to.equal('passed');
      expect(r.evidence, r.id).to.not.be.empty;
      expect(r.durationMs).to.be.a('number').and.at.least(0);
    }
  });

  it('reports a check that throws as error with the exception message', () => {
    const boom: CheckDefinition = {
      id: 'X-BOOM',
      guarantee: 'always explodes',
      run() {
        throw new Error('kaboom at web-1');
      },
    };
    const [r] = runChecks(buildWebInput(), [boom]);
    expect(r).to.include({ id: 'X-BOOM', status: 'error', message: 'kaboom at web-1' });
    expect(r?.evidence).to.deep.equal([]);
  });

  it('turns missing markers into an error, not a verdict', () => {
    const input = buildWebInput();
    input.timeline = input.timeline.filter((e) => !(e.type === 'MARKER' && e.marker === 'deploy'));
    const r = resultOf(input, 'STS-ORDER-CREATE');
    expect(r.status).to.equal('error');
    expect(r.message).to.include('deploy');
  });

  it('skips the ordering checks for podManagementPolicy Parallel', () => {
    const input = buildWebInput({ podManagementPolicy: 'Parallel' });
    for (const id of ['STS-ORDER-CREATE', 'STS-ORDER-RECREATE']) {
      const r = resultOf(input, id);
      expect(r.status).to.equal('skipped');
      expect(r.message).to.include('Parallel');
    }
  });

  it('skips the storage checks for a StatefulSet without claim templates', () => {
    const input = buildWebInput();
    input.workload.claimTemplates = [];
    expect(resultOf(input, 'STS-PVC-BINDING').status).to.equal('skipped');
    expect(resultOf(input, 'STS-DATA-SENTINEL').status).to.equal('skipped');
  });
});

describe('generic mutations on the hand-built run', () => {
  // The hand-built run is a web workload without topology; checks/topology.spec.ts covers that check.
  for (const m of MUTATIONS.filter((x) => x.check !== 'STS-TOPOLOGY-PRIMARY')) {
    it(`${m.check} fails when ${m.name}`, () => {
      const planted = m.apply(buildWebInput());
      expect(planted, 'mutation must apply to the built run').to.not.equal(undefined);
      if (planted) expectFailure(resultOf(planted.input, m.check), planted.needle);
    });
  }
});

// Runs recorded on a real cluster, serialized as CheckInput. With no fixture present
// this block defines no tests.
const fixtureDir = new URL('../../fixtures/', import.meta.url);
const fixtures = (() => {
  try {
    return readdirSync(fixtureDir)
      .filter((f) => f.endsWith('.checkinput.json'))
      .sort();
  } catch {
    return [];
  }
})();

for (const file of fixtures) {
  describe(`recorded fixture ${file}`, () => {
    const load = (): CheckInput => JSON.parse(readFileSync(new URL(file, fixtureDir), 'utf8')) as CheckInput;
    const original = load();

    for (const id of IDS) {
      it(`${id} passes`, () => {
        const r = resultOf(load(), id);
        expect(r.status, r.message).to.be.oneOf(['passed', 'skipped']);
        if (r.status === 'skipped') expect(r.message).to.match(/Parallel|no /);
      });
    }
    for (const m of MUTATIONS) {
      if (!m.apply(original)) continue;
      it(`${m.check} fails when ${m.name}`, () => {
        const planted = m.apply(load());
        if (!planted) throw new Error('mutation stopped applying');
        expectFailure(resultOf(planted.input, m.check), planted.needle);
      });
    }
  });
}
