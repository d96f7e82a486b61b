// Rules follow the identity: web-1 is isolated (seeded, a 14 s hold). As soon as the cut
// is confirmed the spec deletes web-1's peer web-0: the agent must move web-1's rules to
// web-0's new IP (seen in web-1's netns). Then it deletes web-1 itself: the agent must
// cut its replacement (new UID, IP and netns, wherever it lands). The harness must
// confirm the shape again around each replacement, then heal and confirm the heal. The
// spec looks into the network namespaces from the host, and finds no rule afterwards.
import type { NetworkFaultRecord } from '../../../lib/run/results-schema.ts';
import { expect } from 'chai';
import { CHAIN } from '../../../lib/agent/request.ts';
import { planRounds } from '../../../lib/chaos/plan.ts';
import type { MarkerOf } from '../../../lib/timeline/entries.ts';
import { BARE, rulesOf } from '../netns.ts';
import { at, evidenceText, expectExit, faultRun, hooks } from '../support.ts';

/** The first seed that isolates web-1 alone, held at least 12 s (time for two pods to come back). */
function seedIsolatingWeb1(): number {
  for (let seed = 1; seed < 100_000; seed++) {
    const kills = planRounds({ seed, statefulSet: 'web', replicas: 3, rounds: 1, actions: ['partition'] })[0]?.kills ?? [];
    const k = kills[0];
    if (kills.length === 1 && k?.pod === 'web-1' && k.params?.shape === 0 && (k.params.hold ?? 0) >= 12) return seed;
  }
  throw new Error('no seed below 100000 isolates web-1 alone for 12 s or more');
}
const seed = seedIsolatingWeb1();

const before = new Map<string, string>();
let started = false;
let deleted = false;
/** web-1's own (first) netns once it cut web-0 at its new IP. */
let peerMoved = '';
/** Each distinct filter table seen in web-1's replacement while it held the chain. */
const replacementRules = new Set<string>();
let newIps = new Map<string, string>();
let after = new Map<string, string>();
let poller: NodeJS.Timeout | undefined;

faultRun(
  'fault: a partitioned pod and its peer recreated mid-partition: the replacement is cut, the peer followed to its new IP, then healed',
  {
    argv: ['--chaos', 'partition', '--rounds', '1', '--seed', String(seed), '--traffic', 'off', '--timeout', '120'],
    timeoutMs: 420_000,
    hook: hooks(
      at('before-kills', async (ctx) => {
        for (const [n, p] of ctx.recorder.pods) if (/^web-\d$/.test(n)) before.set(n, p.uid);
        const oldIp = ctx.recorder.pods.get('web-0')?.ip ?? 'no IP of web-0';
        poller = setInterval(() => {
          const namespace = ctx.workload.info.namespace;
          const cut = ctx.recorder.timeline.some((e) => e.type === 'MARKER' && e.marker === 'partition');
          const web0 = ctx.recorder.pods.get('web-0');
          if (cut && !started) {
            started = true;
            void ctx.cluster.core.deleteNamespacedPod({ name: 'web-0', namespace, gracePeriodSeconds: 1 });
          }
          if (started && !deleted && web0?.ip && web0.uid !== before.get('web-0') && !web0.deletionTimestamp) {
            void rulesOf(before.get('web-1') ?? '').then(
              (r) => {
                const moved = [`-s ${web0.ip}/32`, `-d ${web0.ip}/32`].every((w) => r.includes(`-A ${CHAIN} ${w} -j DROP`));
                if (deleted || !moved || r.includes(`${oldIp}/32`)) return;
                peerMoved = r;
                deleted = true;
                void ctx.cluster.core.deleteNamespacedPod({ name: 'web-1', namespace, gracePeriodSeconds: 1 });
              },
              () => undefined,
            );
          }
          const now = ctx.recorder.pods.get('web-1');
          if (!deleted || !now || now.uid === before.get('web-1') || now.deletionTimestamp) return;
          void rulesOf(now.uid).then(
            (r) => {
              if (r.includes(`-N ${CHAIN}`)) replacementRules.add(r);
            },
            () => undefined,
          );
        }, 300);
      }),
      at('after-kills', async () => {
        clearInterval(poller);
      }),
      at('before-after-snapshot', async (ctx) => {
        const pods = [...ctx.recorder.pods].filter(([n, p]) => /^web-\d$/.test(n) && !p.deletionTimestamp);
        newIps = new Map(pods.map(([n, p]) => [n, p.ip ?? '']));
        after = new Map(await Promise.all(pods.map(async ([n, p]) => [n, await rulesOf(p.uid)] as const)));
      }),
    ),
    cleanup: async () => clearInterval(poller),
    summary: () => `seed ${seed}; web-0 and web-1 deleted mid-partition: ${deleted}`,
  },
  (t) => {
    const markers = <M extends 'partition' | 'partition-followed' | 'partition-healed'>(m: M): MarkerOf<M>[] =>
      (t.run.input?.timeline ?? []).filter((e) => e.type === 'MARKER' && e.marker === m) as MarkerOf<M>[];

    it('the harness confirmed the shape again around both replacements (new UIDs), during the hold, then the heal', function () {
      expect(deleted, 'the spec did not delete the pods: the fault was not planted').to.equal(true);
      expect(t.run.result.error, JSON.stringify(t.run.result.error)).to.equal(undefined);
      const followed = markers('partition-followed');
      expect(followed.map((m) => m.pod).sort(), t.run.log.join('\n')).to.deep.equal(['web-0', 'web-1']);
      for (const m of followed) {
        expect(m.uid, m.pod).to.not.equal(before.get(m.pod));
        expect(m.confirmMs).to.be.greaterThan(0);
      }
      const healed = markers('partition-healed');
      expect(healed).to.have.length(1);
      expect(healed[0]?.t ?? 0).to.be.greaterThan(Math.max(...followed.map((m) => m.t)));
      const f = (t.run.result.faults ?? []).filter((x): x is NetworkFaultRecord => x.kind === 'partition');
      expect(f.map((x) => x.followed?.map((y) => y.pod).sort())).to.deep.equal([['web-0', 'web-1']]);
      expect(f[0]?.healConfirmMs).to.be.greaterThan(0);
      console.log(`      re-confirmed around the replacements in ${followed.map((m) => `${m.pod} ${m.confirmMs} ms`).join(', ')}`);
    });

    it("web-1's first netns cut web-0 at its new IP once web-0 was recreated (the rule for the old IP gone)", function () {
      const ip = newIps.get('web-0') ?? 'no IP of web-0';
      expect(peerMoved, 'web-1 never cut web-0 at its new IP').to.include(`-A ${CHAIN} -d ${ip}/32 -j DROP`);
      expect(peerMoved.split('\n').filter((l) => l.startsWith(`-A ${CHAIN}`))).to.have.length(4);
    });

    it("the agent's chain was in web-1's replacement's network namespace, cutting web-0 at its new IP and web-2", function () {
      expect(replacementRules.size, 'no chain seen in the replacement of web-1').to.be.greaterThan(0);
      const want = ['web-0', 'web-2'].flatMap((pod) => {
        const ip = newIps.get(pod) ?? `no IP of ${pod}`;
        return [`-A ${CHAIN} -s ${ip}/32 -j DROP`, `-A ${CHAIN} -d ${ip}/32 -j DROP`];
      });
      const whole = [...replacementRules].filter((r) => want.every((w) => r.includes(w)));
      expect(whole, `seen:\n${[...replacementRules].join('\n--\n')}\nwanted: ${want.join('; ')}`).to.have.length.greaterThan(0);
    });

    it('no rule of the agent is left in any pod afterwards', function () {
      expect([...after.keys()].sort()).to.deep.equal(['web-0', 'web-1', 'web-2']);
      for (const [pod, rules] of after) expect(rules.trim().split('\n'), pod).to.deep.equal(BARE);
    });

    it('STS-RECOVERY judges the deletions the spec planted: web-1 was to stay (partition), and it was replaced', function () {
      const c = t.run.result.checks.find((x) => x.id === 'STS-RECOVERY');
      expect(c?.status, c ? evidenceText(c) : 'no STS-RECOVERY').to.equal('failed');
      expect(c ? evidenceText(c) : '').to.match(/web-1/);
      expectExit(t.run, 1);
    });
  },
);
