// STS-WRITES-DURABLE over a set history (--traffic set, the history client): after the
// round, every set element the client had added so far is deleted from the replicated
// store with etcdctl inside etcd-0, as a faulty restore would. The client goes on adding,
// then reads the whole set from every member. The check must fail, naming as lost only
// elements that were deleted, each under the pod that acknowledged its add.
import { expect } from 'chai';
import { ETCD_CLIENT_PORT } from '../../lib/workloads/etcd.ts';
import { SET_KEY } from '../../lib/traffic/workload-ops.ts';
import { at, CLIENT_TEST_IMAGE, waitUntil, expectCheck, expectExit, faultRun, importClientImage, seedKilling, shIn } from './support.ts';

const SEED = seedKilling('etcd', ['etcd-1'], 'delete');
let deleted = new Set<string>();

faultRun(
  'fault: the set elements acknowledged so far deleted from etcd during a run with --traffic set',
  {
    argv: [
      '--workload',
      'etcd',
      '--rounds',
      '1',
      '--seed',
      String(SEED),
      '--traffic',
      'set',
      '--client-image',
      CLIENT_TEST_IMAGE,
      '--timeout',
      '90',
    ],
    timeoutMs: 600_000,
    setup: importClientImage,
    hook: at(
      'after-round',
      async (ctx) => {
        const runId = ctx.workload.info.namespace.replace(/^ordinal-/, '');
        const prefix = `${runId}/${SET_KEY}/`;
        const etcdctl = `etcdctl --endpoints=http://127.0.0.1:${ETCD_CLIENT_PORT.number}`;
        // On a loaded machine the client may have acknowledged little by now: wait for some adds first.
        await waitUntil('20 set elements in etcd', 60_000, async () => {
          const out = await shIn(ctx, 'etcd-0', `${etcdctl} get --prefix --count-only -w fields ${prefix}`);
          const n = Number(/"Count" : (\d+)/.exec(out)?.[1] ?? 0);
          return { ok: n >= 20, seen: `${n} elements` };
        });
        // One delete of the whole prefix; --prev-kv prints exactly the keys it removed (adds keep arriving meanwhile).
        const out = await shIn(ctx, 'etcd-0', `${etcdctl} del --prefix --prev-kv ${prefix}`);
        const keys = out.split('\n').filter((k) => k.startsWith(prefix));
        deleted = new Set(keys.map((k) => k.slice(prefix.length)));
        ctx.log(`fault: deleted ${deleted.size} set elements from etcd`);
      },
      1,
    ),
    summary: () => `etcdctl deleted ${deleted.size} set elements`,
  },
  (t) => {
    it('STS-WRITES-DURABLE fails: every element it names as lost was deleted, listed under the pod that acknowledged it', function () {
      if (deleted.size === 0) throw new Error('the fault deleted nothing: no set element existed after the round');
      const c = expectCheck(t.run, 'STS-WRITES-DURABLE', 'failed', /^pod etcd-\d$/);
      const findings = c.evidence.filter((e) => e.subject.startsWith('pod ') && /missing from every member read/.test(e.observed ?? ''));
      expect(findings.length, JSON.stringify(c.evidence)).to.be.greaterThan(0);
      const lost = t.run.result.traffic?.lost ?? [];
      expect(lost.length, 'lost writes in results.json').to.be.greaterThan(0);
      // results.json lists the first lost keys; the count covers them all.
      expect(c.message).to.match(new RegExp(`^${t.run.result.traffic?.counts.lost} acknowledged adds lost: `));
      for (const k of lost) {
        expect(deleted.has(k.key), `lost element ${k.key} was not one the fault deleted`).to.equal(true);
        expect(
          findings.map((e) => e.subject),
          `the pod that acknowledged ${k.key}`,
        ).to.include(`pod ${k.answeredBy ?? k.pod}`);
      }
    });

    it('STS-ETCD-MEMBERSHIP still passes (only data went), STS-LINEARIZABLE is skipped for set traffic, and the run exits 1', function () {
      expectCheck(t.run, 'STS-ETCD-MEMBERSHIP', 'passed', /./);
      const lin = t.run.result.checks.find((c) => c.id === 'STS-LINEARIZABLE');
      expect(`${lin?.status}: ${lin?.message}`).to.match(/^skipped: no register traffic/);
      expectExit(t.run, 1);
    });
  },
);
