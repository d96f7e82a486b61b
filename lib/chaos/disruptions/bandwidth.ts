// `bandwidth`: a thin pipe: the pod's egress interface gets a token-bucket filter at a
// seeded rate for a seeded hold, then healed: a member whose link is saturated, as a
// noisy neighbour or a bad NIC leaves it. The node agent adds the tbf qdisc in the pod's
// network namespace. What must follow is `unaffected`: same UID, no container restart,
// Ready again after the heal. Confirmed from inside the pod (its `tc qdisc show` lists the
// agent's tbf, and a transfer to a peer moves no more than the rate allows), healed once
// the qdisc is gone and a transfer moves more than the pipe would (lib/chaos/net-confirm.ts,
// the round in lib/chaos/net-fault-round.ts).
import { burstBytes } from '../../agent/bandwidth.ts';
import type { Disruption, DisruptionContext } from '../disruption.ts';
import {
  hasTbf,
  listenScript,
  measuredKbit,
  offerBytes,
  QDISC_SCRIPT,
  sendScript,
  transferProblem,
  unshapedProblem,
} from '../net-confirm.ts';
import type { Measured } from '../net-fault-round.ts';
import { measureIn, type Peer } from '../net-peers.ts';
import { agentProblem } from './agent-ready.ts';

const PARAMS = { rateKbit: { min: 128, max: 1024, unit: 'kbit/s' }, hold: { min: 5, max: 15, unit: 's' } } as const;

/** Bytes a peer received from the pod in the transfer window. */
async function transfer(ctx: DisruptionContext, pod: string, peer: Peer, rateKbit: number, what: string): Promise<number> {
  const [received] = await Promise.all([
    measureIn(ctx, peer.name, listenScript(), what),
    measureIn(ctx, pod, sendScript(peer.ip, offerBytes(rateKbit, burstBytes(rateKbit))), what),
  ]);
  return Number.parseInt(received.trim(), 10);
}

export const bandwidth: Disruption = {
  name: 'bandwidth',
  expect: 'unaffected',
  needs: 'running',
  describe:
    "narrows the pod's egress to a seeded rate (node agent: tc tbf), confirmed from inside (qdisc listed, transfer held to the rate); holds, heals, confirms it gone; the pod must stay and be Ready",
  params: PARAMS,
  preflight: (ctx) => agentProblem(ctx, 'bandwidth', 'tbf'),
  async apply(ctx, target) {
    const { netFaultRound } = await import('../net-fault-round.ts');
    const rateKbit = ctx.params.rateKbit ?? PARAMS.rateKbit.min;
    const what = `bandwidth on ${target.pod} (round ${ctx.round})`;
    await netFaultRound(ctx, target, {
      kind: 'bandwidth',
      request: { rateKbit },
      holdS: ctx.params.hold ?? PARAMS.hold.min,
      async confirm(c, pod, peers, applied): Promise<Measured> {
        if (!applied.seen.includes('tbf'))
          return { problem: `the agent's status does not list a tbf qdisc: ${applied.seen}`, figures: {}, said: applied.seen };
        const qdiscs = await measureIn(c, pod, QDISC_SCRIPT, what);
        if (!hasTbf(qdiscs))
          return {
            problem: `tc qdisc show inside ${pod} lists no tbf of the agent's`,
            figures: {},
            said: qdiscs.trim().replaceAll('\n', '; '),
          };
        const peer = peers[0] as Peer;
        const bytes = await transfer(c, pod, peer, rateKbit, what);
        const problem = transferProblem(bytes, rateKbit, burstBytes(rateKbit));
        const figures = {
          transferBytes: Number.isFinite(bytes) ? bytes : 0,
          measuredKbit: Number.isFinite(bytes) ? measuredKbit(bytes) : 0,
        };
        return {
          ...(problem ? { problem } : {}),
          figures,
          said: `tbf listed inside ${pod}; ${figures.transferBytes} bytes to ${peer.name} in the window (${figures.measuredKbit} kbit/s against ${rateKbit})`,
        };
      },
      async confirmHealed(c, pod, peers): Promise<Measured> {
        const qdiscs = await measureIn(c, pod, QDISC_SCRIPT, what);
        const listed = qdiscs.trim().replaceAll('\n', '; ');
        if (hasTbf(qdiscs))
          return { problem: `tc qdisc show inside ${pod} still lists the agent's tbf: ${listed}`, figures: {}, said: listed };
        const peer = peers[0];
        if (!peer) return { problem: 'no peer is left to measure a transfer to', figures: {}, said: listed };
        const bytes = await transfer(c, pod, peer, rateKbit, what);
        const problem = unshapedProblem(bytes, rateKbit, burstBytes(rateKbit));
        const kbit = Number.isFinite(bytes) ? measuredKbit(bytes) : 0;
        return {
          ...(problem ? { problem } : {}),
          figures: { measuredKbit: kbit },
          said: `no tbf of the agent's inside ${pod}; ${Number.isFinite(bytes) ? bytes : 0} bytes to ${peer.name} in the window (${kbit} kbit/s, all that was offered)`,
        };
      },
    });
    return undefined;
  },
  tookEffect: async () => undefined,
};
