// Baseline: the DNS probe opens, then a snapshot of every pod with its sentinel written.
import { openDnsProbe } from '../../probes/dns.ts';
import type { RunContext } from '../context.ts';
import { takeSnapshot } from '../snapshot.ts';

export async function baseline(ctx: RunContext): Promise<void> {
  const dns = await openDnsProbe(ctx.cluster, ctx.options.dnsServer, ctx.log);
  ctx.state.dns = dns;
  ctx.log(`DNS probe: ${dns.target}`);
  ctx.recorder.mark({ marker: 'baseline' });
  // Every pod that may get a sentinel, before any is written: an interrupted baseline still gets cleaned up.
  ctx.subject.claimSentinels(ctx);
  const snap = await takeSnapshot(ctx, dns, 'write');
  ctx.state.baseline = snap;
  ctx.subject.throwIfWithdrawn?.();
  ctx.log(`baseline: ${snap.pods.length} pods, ${snap.sentinels.length} sentinels written and synced`);
  await ctx.hook('after-baseline');
}
