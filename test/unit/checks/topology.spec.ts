import { expect } from 'chai';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { TopologySnapshot } from '../../../lib/probes/records.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { buildWebInput, uidOf } from '../helpers/timeline-builder.ts';
import { mutate } from '../helpers/timeline-edit.ts';

const ID = 'STS-TOPOLOGY-PRIMARY';
const DATA = 'c459edfb31e868fcd6f99ad8000310aeaf3204ffeb11ae20de508177f52cc358';

// The default rounds kill web-0 twice; web-1 and web-2 come back last in round 3, after
// web-0's third generation (uid web-0-uid-2), which must be the one that served them.
const topo = (primaryGen: number): TopologySnapshot => {
  const servedBy = { uid: uidOf('web-0', primaryGen), ip: `10.244.0.${primaryGen}` };
  return {
    primary: 'web-0',
    primaryData: DATA,
    primaryUid: servedBy.uid,
    copies: [
      { pod: 'web-1', data: DATA, servedBy },
      { pod: 'web-2', data: DATA, servedBy: { ...servedBy } },
    ],
  };
};

const good: CheckInput = mutate(buildWebInput(), (d) => {
  d.baseline.topology = topo(0);
  d.after.topology = topo(2);
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

  it('fails when a replica was served by a pod that was never the primary', () => {
    const bad = mutate(good, (d) => (copyOf(d.after.topology, 'web-2').servedBy = { uid: 'impostor-uid', ip: '10.244.9.9' }));
    const r = resultOf(bad, ID);
    expectFailure(r, 'replica web-2 was served by uid impostor-uid', 'never web-0');
    expect(r.evidence[0]?.expected).to.include(uidOf('web-0', 2));
  });

  it('fails when a recreated replica was served by a primary generation deleted before it started', () => {
    const bad = mutate(good, (d) => (copyOf(d.after.topology, 'web-1').servedBy = { uid: uidOf('web-0', 1), ip: '10.244.0.1' }));
    expectFailure(resultOf(bad, ID), `replica web-1 was served by uid ${uidOf('web-0', 1)}, a primary generation deleted`);
  });

  it('fails when a replica holds the data but no record of who served it', () => {
    const bad = mutate(good, (d) => {
      const c = copyOf(d.after.topology, 'web-1');
      delete c.servedBy;
      c.error = 'served-by: cat /data/served-by exited 1: No such file or directory';
    });
    expectFailure(resultOf(bad, ID), 'replica web-1 has no record of the primary that served its copy');
  });

  it('is an error, not a failure, when a replica could not be read (exec transport failure)', () => {
    const bad = mutate(good, (d) => {
      const c = copyOf(d.after.topology, 'web-2');
      delete c.data;
      delete c.servedBy;
      c.error = 'exec in pod web-2 failed: connect ECONNREFUSED 127.0.0.1:6443';
      c.unobserved = true;
    });
    const r = resultOf(bad, ID);
    expect(r.status, r.message).to.equal('error');
    expect(r.message).to.include('replica web-2').and.include('ECONNREFUSED');
  });

  it('is an error when the primary could not be read, and a failure when its file is gone', () => {
    const unread = mutate(good, (d) => {
      delete d.after.topology!.primaryData;
      d.after.topology!.error = 'exec in pod web-0 did not finish within 30s: cat /data/primary-data';
      d.after.topology!.unobserved = true;
    });
    expect(resultOf(unread, ID).status).to.equal('error');
    const gone = mutate(good, (d) => {
      delete d.after.topology!.primaryData;
      d.after.topology!.error = 'cat /data/primary-data exited 1: No such file or directory';
    });
    expectFailure(resultOf(gone, ID), 'after chaos: the primary web-0 has no data');
  });

  it('fails when topology was recorded in only one snapshot', () => {
    const bad = mutate(good, (d) => delete d.after.topology);
    expectFailure(resultOf(bad, ID), 'only one snapshot');
  });
});
