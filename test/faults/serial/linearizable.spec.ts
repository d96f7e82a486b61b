// STS-LINEARIZABLE on the real cluster, failing for a real reason: the etcd sample with
// register traffic whose reads are serializable (`--etcd-read serializable`: a member
// answers from its own store, without asking the leader) while the node agent cuts one
// member off from its peers. The majority keeps committing writes; the cut member keeps
// answering reads from what it had, so a read after a newer acknowledged write returns the
// old value (and any follower's serializable read may lag the leader by a little). The check
// must fail naming a stale read (the key, the value read, the value that was current and the
// pod that answered) that the recorded history confirms. (The control, with etcd's default
// linearizable reads and a member deleted, passes: test/faults/history-register.spec.ts.)
// In the serial group: it uses the node agent, which test/faults/serial/agent.spec.ts stops.
import { expect } from 'chai';
import type { Operation } from '../../../lib/history/events.ts';
import { pair } from '../../../lib/history/pair.ts';
import { CLIENT_TEST_IMAGE, faultRun, importClientImage, seedKilling } from '../support.ts';

const IMAGE = CLIENT_TEST_IMAGE;
const SEED = seedKilling('etcd', ['etcd-2'], 'partition', { chaos: ['partition'] });

faultRun(
  'fault: serializable reads while etcd-2 is cut off from its peers (node agent partition)',
  {
    argv: [
      '--workload',
      'etcd',
      '--rounds',
      '1',
      '--seed',
      String(SEED),
      '--chaos',
      'partition',
      '--traffic',
      'register',
      '--etcd-read',
      'serializable',
      '--client-image',
      IMAGE,
      '--timeout',
      '90',
      // etcd's cut member needs a while after the heal before it answers health checks again.
      '--dns-budget',
      '30',
    ],
    timeoutMs: 600_000,
    setup: importClientImage,
    hook: async () => {},
    summary: (run) => {
      const lin = run.result.checks.find((c) => c.id === 'STS-LINEARIZABLE');
      return `STS-LINEARIZABLE ${lin?.status}: ${lin?.message ?? run.result.error?.message ?? 'no result'}`;
    },
  },
  (t) => {
    it('the partition of etcd-2 was confirmed applied and confirmed healed', () => {
      expect(t.run.result.error, t.run.log.slice(-10).join('\n')).to.equal(undefined);
      const faults = t.run.result.faults ?? [];
      expect(faults.map((f) => `${f.kind}:${f.pod}`)).to.deep.equal(['partition:etcd-2']);
      expect(faults[0]?.confirmMs).to.be.a('number');
      expect(faults[0]?.healConfirmMs, 'heal confirmed').to.be.a('number');
    });

    it('STS-LINEARIZABLE fails on a stale read, naming the key, the value read, the value current and the pod that answered', () => {
      const lin = t.run.result.checks.find((c) => c.id === 'STS-LINEARIZABLE');
      expect(lin?.status, lin?.message).to.equal('failed');
      expect(lin?.message).to.match(/^stale read on key "[^"]+": pod etcd-\d answered \S+ while \S+ was current \(process \d+, sent /);
      expect(lin?.evidence.length, 'the failing operation and the writes around it').to.be.greaterThan(0);
    });

    it('the named read is stale in the recorded history: a write of the current value was acknowledged before the read was sent', () => {
      // Serializable reads can lag on any follower, not only the cut one, so the check may name
      // any member; what must hold is that the read it names really was stale.
      const lin = t.run.result.checks.find((c) => c.id === 'STS-LINEARIZABLE');
      const m = /^stale read on key "([^"]+)": pod (\S+) answered (\S+) while (\S+) was current \(process (\d+),/.exec(lin?.message ?? '');
      if (!m) throw new Error(`not a stale read: ${lin?.message}`);
      const [, key, pod, read, current, proc] = m;
      const ops = pair(t.run.input?.traffic?.history ?? []);
      const reads = ops.filter(
        (o) =>
          o.f === 'read' &&
          o.type === 'ok' &&
          o.key === key &&
          o.pod === pod &&
          o.process === Number(proc) &&
          JSON.stringify(o.value) === read,
      );
      expect(reads, `the read by process ${proc} in the history`).to.have.length.greaterThan(0);
      const newValue = (o: Operation): string => JSON.stringify(o.f === 'cas' ? (o.value as readonly unknown[])[1] : o.value);
      const stale = reads.some((r) =>
        ops.some((w) => w.key === key && w.type === 'ok' && w.f !== 'read' && newValue(w) === current && w.ret < r.call),
      );
      expect(stale, `a write of ${current} to ${key} acknowledged before ${pod}'s read of ${read} was sent`).to.equal(true);
    });

    it('exits 1 (a broken guarantee, not an error)', () => {
      expect(t.run.exitCode).to.equal(1);
    });
  },
);
