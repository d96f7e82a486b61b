// `loss`: a seeded share of the packets between the pod and its peers dropped, both ways,
// for a seeded hold, then healed: a flaky link rather than a cut one. The node agent puts
// iptables `statistic --mode random` DROP rules in the pod's network namespace (this
// kernel has no sch_netem; the statistic match needs none). What must follow is
// `unaffected`: same UID, no container restart, Ready again after the heal. Confirmed
// from inside the pod by many short connection attempts to each peer (a share of them
// fail, every one to the API server's Service connects), healed once all connect again
// (lib/chaos/net-confirm.ts, the round in lib/chaos/net-fault-round.ts).
import type { Disruption, DisruptionContext } from '../disruption.ts';
import { CONTROL } from '../partition-confirm.ts';
import {
  CLEAR_WAIT_S,
  CONTROL_ATTEMPTS,
  connectsScript,
  LOSS_ATTEMPTS,
  LOSS_WAIT_S,
  lossGoneProblem,
  lossMeasure,
  lossProblem,
  tally,
} from '../net-confirm.ts';
import type { Measured } from '../net-fault-round.ts';
import { measureIn, type Peer } from '../net-peers.ts';
import { agentProblem } from './agent-ready.ts';

const PARAMS = { percent: { min: 20, max: 50, unit: '%' }, hold: { min: 5, max: 15, unit: 's' } } as const;

async function measure(ctx: DisruptionContext, pod: string, peers: readonly Peer[], withControl: boolean) {
  // Applied (with the control): the peers' connects must show the loss; healed: its absence.
  const targets = peers.map((t) => ({ t, n: LOSS_ATTEMPTS, w: withControl ? LOSS_WAIT_S : CLEAR_WAIT_S }));
  const script = connectsScript(withControl ? [...targets, { t: CONTROL, n: CONTROL_ATTEMPTS, w: CLEAR_WAIT_S }] : targets);
  return tally(await measureIn(ctx, pod, script, `loss on ${pod} (round ${ctx.round})`));
}

const said = (m: ReturnType<typeof lossMeasure>): string =>
  `${m.failed} of ${m.tried} connection attempts to the peers failed (${m.failedPercent}%, about ${m.impliedLossPercent}% of packets lost)`;

export const loss: Disruption = {
  name: 'loss',
  expect: 'unaffected',
  needs: 'running',
  describe:
    'drops a seeded share of packets between the pod and its peers (node agent: iptables statistic), measured from inside; holds, heals, measures; the pod must stay and be Ready',
  params: PARAMS,
  preflight: (ctx) => agentProblem(ctx, 'loss', 'statistic'),
  async apply(ctx, target) {
    const { netFaultRound } = await import('../net-fault-round.ts');
    const percent = ctx.params.percent ?? PARAMS.percent.min;
    await netFaultRound(ctx, target, {
      kind: 'loss',
      request: { percent },
      holdS: ctx.params.hold ?? PARAMS.hold.min,
      async confirm(c, pod, peers): Promise<Measured> {
        const t = await measure(c, pod, peers, true);
        const ips = peers.map((p) => p.ip);
        const m = lossMeasure(t, ips);
        const problem = lossProblem(t, ips, 'the API server Service');
        return { ...(problem ? { problem } : {}), figures: { ...m }, said: said(m) };
      },
      async confirmHealed(c, pod, peers): Promise<Measured> {
        if (peers.length === 0)
          return { problem: 'no peer is left with the address the loss was measured against', figures: {}, said: 'nothing' };
        const t = await measure(c, pod, peers, false);
        const ips = peers.map((p) => p.ip);
        const problem = lossGoneProblem(t, ips);
        return { ...(problem ? { problem } : {}), figures: { ...lossMeasure(t, ips) }, said: said(lossMeasure(t, ips)) };
      },
    });
    return undefined;
  },
  // The round's whole fault (confirmed loss, hold, confirmed heal) happened inside apply().
  tookEffect: async () => undefined,
};
