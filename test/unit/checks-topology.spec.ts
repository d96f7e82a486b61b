import { expect } from 'chai';
import type { CheckInput, TopologySnapshot } from '../../lib/types.ts';
import { expectFailure, resultOf } from './helpers/assertions.ts';
import { buildWebInput } from './helpers/timeline-builder.ts';
import { mutate } from './helpers/timeline-edit.ts';

const ID = 'STS-TOPOLOGY-PRIMARY';
const DATA = 'c459edfb31e868fcd6f99ad8000310aeaf3204ffeb11ae20de508177f52cc358';

const topo = (): TopologySnapshot => ({
  primary: 'web-0',
  primaryData: DATA,
  copies: [{ pod: 'web-1', data: DATA }, { pod: 'web-2', data: DATA }],
});

const good: CheckInput = mutate(buildWebInput(), (d) => {
  d.baseline.topology = topo();
  d.after.topology = topo();
});

function copyOf(t: TopologySnapshot | undefined, pod: string): TopologySnapshot['copies'][number] {
  const c = t?.copies.find((x) => x.pod === pod);
  if (!c) throw new Error(`no copy for ${pod}`);
  return c;
}

describe(ID, () => {
  it('is skipped for workloads without topology state', () => {
    expect(resultOf(buildWebInput(), ID).status).to.equal('skipped');
  });

  it('passes when every replica holds the primary data before and after chaos', () => {
    const r = resultOf(good, ID);
    expect(r.status, r.message).to.equal('passed');
    expect(r.message).to.include('web-1, web-2');
  });

  it('fails naming the replica whose copy differs after chaos', () => {
    const bad = mutate(good, (d) => (copyOf(d.after.topology, 'web-2').data = 'stale'));
    const r = resultOf(bad, ID);
    expectFailure(r, 'after chaos: replica web-2 holds a copy that differs');
    expect(r.evidence[0]).to.include({ subject: 'replica web-2' });
    expect(r.evidence[0]?.observed).to.include('"stale"');
  });

  it('fails when a replica has no copy at all (could not reach the primary)', () => {
    const bad = mutate(good, (d) => {
      const c = copyOf(d.after.topology, 'web-1');
      delete c.data;
      c.error = 'cat /data/replica-copy exited 1: No such file or directory';
    });
    expectFailure(resultOf(bad, ID), 'replica web-1 holds no copy', 'No such file');
  });

  it("fails when the primary's data changed across chaos", () => {
    const bad = mutate(good, (d) => {
      const t = d.after.topology!;
      t.primaryData = 'new-primary-data';
      for (const c of t.copies) c.data = 'new-primary-data';
    });
    expectFailure(resultOf(bad, ID), "the primary's data changed across chaos");
  });

  it('fails when the primary has no data before chaos', () => {
    const bad = mutate(good, (d) => {
      delete d.baseline.topology!.primaryData;
      d.baseline.topology!.error = 'cat exited 1';
    });
    expectFailure(resultOf(bad, ID), 'before chaos: the primary web-0 has no data');
  });

  it('fails when topology was recorded in only one snapshot', () => {
    const bad = mutate(good, (d) => delete d.after.topology);
    expectFailure(resultOf(bad, ID), 'only one snapshot');
  });
});
