// After: traffic stops, then a snapshot of every pod with its sentinel read back, then
// the traffic's stores are read back.
import type { RunContext } from '../context.ts';
import { takeSnapshot } from '../snapshot.ts';

export async function after(ctx: RunContext): Promise<void> {
  const { state } = ctx;
  await state.traffic?.stop();
  await ctx.hook('before-after-snapshot');
  state.canary?.stop();
  ctx.recorder.mark({ marker: 'after' });
  if (!state.dns) throw new Error('the after snapshot needs the DNS probe the baseline opened');
  state.after = await takeSnapshot(ctx, state.dns, 'read');
  ctx.subject.throwIfWithdrawn?.();
  state.written = await state.traffic?.finish();
  // The history client's operations, for STS-LINEARIZABLE (register), the set checker (set) and STS-BANK-INVARIANT (bank).
  const mode = ctx.options.traffic;
  const events = state.written?.history;
  if ((mode === 'register' || mode === 'set' || mode === 'bank') && events) {
    const clock = state.written?.historyClock;
    state.history = { workload: mode, file: 'history.jsonl', events, ...(clock ? { clock } : {}) };
  }
}
