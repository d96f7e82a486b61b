// The recorder's re-list path on the real cluster: with a 2 s server-side watch
// timeout, every watch closes several times while pods are created and deleted over
// ~10 s. Whatever happened while no watch was open must still reach the timeline,
// and the recorder's pod map must end equal to what the API server lists.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Cluster } from '../../lib/cluster/cluster.ts';
import { createRunNamespace, deleteRunNamespace } from '../../lib/run/namespace.ts';
import { Recorder } from '../../lib/observe/recorder.ts';
import type { WatchEntry } from '../../lib/timeline/entries.ts';
import { MANAGED_BY, RUN_LABEL } from '../../lib/workloads/common.ts';
import { NO_CLUSTER, connectTestCluster, waitRunNamespacesGone } from './helpers.ts';

const IMAGE = 'docker.io/library/busybox:1.35.0';
const runId = `it-rec-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
const namespace = `ordinal-${runId}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('Recorder re-list path (integration, real cluster)', function () {
  let cluster: Cluster | undefined;
  let recorder: Recorder | undefined;
  let created = false;
  const logs: string[] = [];
  const c = (): Cluster =>
    cluster ??
    (() => {
      throw new Error(NO_CLUSTER);
    })();

  async function createPod(name: string): Promise<string> {
    const pod = await c().core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name, labels: { ...MANAGED_BY, [RUN_LABEL]: runId } },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [
            { name: 'main', image: IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'] },
          ],
        },
      },
    });
    return pod.metadata?.uid ?? '';
  }

  before(async function () {
    this.timeout(30_000);
    cluster = await connectTestCluster();
    await createRunNamespace(c(), namespace, runId);
    created = true;
  });

  after(async function () {
    this.timeout(90_000);
    recorder?.stop();
    if (cluster && created) {
      await deleteRunNamespace(cluster, namespace, runId);
      await waitRunNamespacesGone(cluster, runId);
    }
  });

  it('keeps the timeline and the pod map right across many watch closes', async function () {
    this.timeout(120_000);
    const rec = new Recorder(c(), namespace, { watchTimeoutSeconds: 2, log: (l) => logs.push(l) });
    recorder = rec;
    await rec.start();

    // ~10 s of churn: five pods created 1.5 s apart; three of them deleted again,
    // one of those with a zero grace period (gone at once, no Terminating phase).
    const uids = new Map<string, string>();
    const deleted = new Map<string, string>();
    const names = ['rec-a', 'rec-b', 'rec-c', 'rec-d', 'rec-e'];
    for (const [i, name] of names.entries()) {
      uids.set(name, await createPod(name));
      await sleep(1500);
      const victim = { 2: 'rec-a', 3: 'rec-b', 4: 'rec-d' }[i];
      if (victim) {
        await c().core.deleteNamespacedPod({
          name: victim,
          namespace,
          body: { preconditions: { uid: uids.get(victim)! }, ...(victim === 'rec-b' ? { gracePeriodSeconds: 0 } : {}) },
          ...(victim === 'rec-b' ? { gracePeriodSeconds: 0 } : {}),
        });
        deleted.set(victim, uids.get(victim)!);
      }
    }
    await sleep(2500); // at least one more watch close after the last change
    const alive = names.filter((n) => !deleted.has(n));

    // Settled: the deleted pods are gone and the living ones Running, as recorded.
    await rec.waitFor({
      describe: `pods ${alive.join(', ')} Running and ${[...deleted.keys()].join(', ')} gone`,
      timeoutMs: 60_000,
      until: () =>
        [...deleted.keys()].every((n) => !rec.pods.has(n)) && alive.every((n) => rec.pods.get(n)?.phase === 'Running') ? true : undefined,
    });

    expect(rec.relists, logs.join('\n')).to.be.greaterThan(0);
    expect(
      logs.some((l) => /watch on Pod ended/.test(l)),
      'a Pod watch closed and was re-listed',
    ).to.equal(true);

    const listed = (await c().core.listNamespacedPod({ namespace })).items;
    const fresh = new Map(listed.map((p) => [p.metadata?.name ?? '', p.metadata?.uid ?? '']));
    const recorded = new Map([...rec.pods].map(([n, s]) => [n, s.uid]));
    expect(recorded).to.deep.equal(fresh);
    expect([...fresh.keys()].sort()).to.deep.equal(alive);
    for (const n of alive) expect(fresh.get(n)).to.equal(uids.get(n));

    const podEntries = rec.timeline.filter((e): e is WatchEntry => e.type !== 'MARKER' && e.kind === 'Pod');
    for (const [name, uid] of uids) {
      const added = podEntries.filter((e) => e.type === 'ADDED' && e.name === name);
      expect(added.length, `ADDED ${name}`).to.be.greaterThan(0);
      expect(
        added.every((e) => e.pod?.uid === uid),
        `ADDED ${name} carries uid ${uid}`,
      ).to.equal(true);
    }
    for (const [name, uid] of deleted) {
      const del = podEntries.filter((e) => e.type === 'DELETED' && e.name === name);
      expect(del, `DELETED ${name}`).to.have.length(1);
      expect(del[0]?.pod?.uid).to.equal(uid);
      expect(del[0]!.seq).to.be.greaterThan(podEntries.find((e) => e.type === 'ADDED' && e.name === name)!.seq);
    }
    for (const name of alive)
      expect(
        podEntries.some((e) => e.type === 'DELETED' && e.name === name),
        `no DELETED ${name}`,
      ).to.equal(false);

    for (let i = 1; i < rec.timeline.length; i++) {
      const [prev, cur] = [rec.timeline[i - 1]!, rec.timeline[i]!];
      expect(cur.seq, `seq at ${i}`).to.be.greaterThan(prev.seq);
      expect(cur.t, `t at ${i}`).to.be.at.least(prev.t);
    }
  });
});
