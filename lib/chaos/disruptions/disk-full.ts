// `disk-full`: the pod's volume filled until writes fail with ENOSPC, held (seeded), then
// freed: a database whose disk ran out, as a log burst or a forgotten backup leaves it.
// The node agent (examples/agent.yaml) writes one fill file from inside the pod's mount
// namespace and deletes it on heal (lib/agent/disk-agent.ts). Honest only where the volume
// enforces its capacity: the preflight refuses a StorageClass that does not say so
// (lib/chaos/disk-confirm.ts ENFORCES_CAPACITY; the local cluster's ordinal-fixed does),
// and each round compares the filesystem the pod sees with its claim before anything is
// written. What must follow is `stays`: the pod keeps its UID and is Ready again after the
// heal; its containers may restart (etcd exits when it cannot persist). The round:
//
//  1. from inside the pod: the filesystem is no larger than the claim, a write succeeds;
//  2. the request goes out; the agent fills the volume and says so;
//  3. confirmed: a 4 KiB synced write in the pod fails with ENOSPC; unconfirmed, the round
//     is an error, never a pass;
//  4. hold (seeded; the agent tops the fill up if the pod frees space);
//  5. heal; confirmed: a write in the pod succeeds again.
import { ObservationError, describeError } from '../../errors.ts';
import type { Disruption, DisruptionContext, DisruptionTarget } from '../disruption.ts';
import { FAULT_REQUEST_NAME } from '../../agent/request.ts';
import { safeMountPath } from '../../agent/disk-request.ts';
import { partition } from './partition.ts';
import { agentTurn } from '../agent-turn.ts';
import { capacityProblem, classProblem, freeProblem, fullProblem, maxFillBytes } from '../disk-confirm.ts';
import { TIMEOUTS, timeLeft } from '../../timeouts.ts';
import type { DiskProbe } from '../../agent/disk-request.ts';
import type { Probed } from '../disk-probe.ts';

/** How many times a refused request is asked again (the pod may be going, or its replacement starting). */
const REFUSED_AGAIN = 3;
/** Seconds the full volume is held once confirmed. */
const PARAMS = { hold: { min: 5, max: 15, unit: 's' } } as const;

export const diskFull: Disruption = {
  name: 'disk-full',
  expect: 'stays',
  needs: 'running',
  describe:
    "fills the pod's volume until writes fail with ENOSPC (node agent), confirmed from inside; holds (seeded), frees, confirms; needs a capacity-enforcing StorageClass",
  params: PARAMS,
  async preflight(ctx) {
    // list, not get: the harness's RBAC (examples/rbac.yaml) lists classes to check --storage-class.
    const classes = await ctx.cluster.storage.listStorageClass().catch(() => undefined);
    const sc = classes?.items.find((c) => c.metadata?.name === ctx.facts.storageClass);
    // A class that cannot be found (a --target's, or none): each round checks the filesystem against its claim instead.
    const problem = sc ? classProblem(ctx.facts.storageClass, sc.metadata?.annotations) : undefined;
    if (problem) return problem;
    const agent = await partition.preflight?.(ctx);
    return agent ? agent.replace('partition needs', 'disk-full needs') : undefined;
  },
  async apply(ctx, target) {
    // One request name per run (lib/agent/request.ts): a burst round's agent faults take turns.
    await agentTurn(() => diskRound(ctx, target));
    return undefined;
  },
  // The round's whole fault (confirmed full, hold, confirmed free) happened inside apply().
  tookEffect: async () => undefined,
};

/** The volume the workload's data lives on in this pod: mount path, claim, and the claim's bytes. */
interface Volume {
  path: string;
  claim: string;
  claimBytes: number;
  volume: string;
}

async function diskRound(ctx: DisruptionContext, target: DisruptionTarget): Promise<void> {
  const { FaultRequest } = await import('../fault-request.ts');
  const { probeDisk, volumeOf } = await import('../disk-probe.ts');
  const { pod } = target;
  const what = `disk-full of ${pod} (round ${ctx.round})`;
  const acts = (): number => Math.min(TIMEOUTS.faultAgentActs, timeLeft(ctx.deadline));
  // A rolling update may replace the pod between the aim and the fill (it may be gone or
  // terminating now, or the agent refuses its old UID). The replacement mounts the same
  // claim: the fill goes there, and the log says so.
  let uid = await liveUid(ctx, pod, target.uid, acts(), what);
  const vol: Volume = await volumeOf(ctx, pod, what);
  if (!safeMountPath(vol.path)) throw new ObservationError(`${what}: the volume's mount path "${vol.path}" is not a plain absolute path`);
  const before = await probeDisk(ctx, pod, vol.path, what);
  const tooBig = capacityProblem(before.sizeKiB, vol.claimBytes);
  if (tooBig) throw new ObservationError(`${what}: not filled: claim ${vol.claim}: ${tooBig}`);
  const notFree = freeProblem(before);
  if (notFree)
    throw new ObservationError(`${what}: before the fill the volume was not writable, so ENOSPC could prove nothing: ${notFree}`);
  const request = new FaultRequest(ctx.cluster, ctx.namespace, FAULT_REQUEST_NAME, ctx.log);
  const t0 = Date.now();
  const spec = {
    fault: 'disk-full' as const,
    pod,
    podUid: uid,
    peers: [],
    path: vol.path,
    maxBytes: maxFillBytes(vol.claimBytes),
    volume: vol.volume,
  };
  await request.create(spec);
  let healAsked = false;
  try {
    let applied = await request.waitFor(['applied', 'refused', 'healed'], acts(), what);
    // A refusal fills nothing, so it is asked again, a few times, while a pod the update is
    // replacing goes (its process gone under the agent: ENOENT) and its replacement starts.
    for (let again = 1; applied.phase === 'refused' && again <= REFUSED_AGAIN; again++) {
      ctx.log(`${what}: the agent on node ${applied.node} refused it (${applied.seen}); asking again (${again} of ${REFUSED_AGAIN})`);
      await request.remove();
      await new Promise((r) => setTimeout(r, TIMEOUTS.partitionProbePause));
      uid = await liveUid(ctx, pod, uid, acts(), what);
      await request.create({ ...spec, podUid: uid });
      applied = await request.waitFor(['applied', 'refused', 'healed'], acts(), what);
    }
    if (applied.phase !== 'applied')
      throw new ObservationError(`${what}: the agent on node ${applied.node} ${applied.phase} it: ${applied.seen}`);
    const agentSaw = async () => (await request.status())?.probe;
    const probing: Probing = { pod, path: vol.path, what, agent: agentSaw };
    const full = await confirmFull(ctx, probing);
    if (typeof full === 'string')
      throw new ObservationError(`${what}: filled by the agent (${applied.seen}) but not confirmed from inside ${pod}: ${full}`);
    const confirmMs = Date.now() - t0;
    const sizeKiB = before.sizeKiB ?? 0;
    ctx.recorder.mark({
      marker: 'disk-full',
      round: ctx.round,
      pod,
      uid,
      node: applied.node,
      path: vol.path,
      sizeKiB,
      confirmMs,
      ...byOf(full),
    });
    ctx.log(
      `round ${ctx.round}: ${pod}'s volume ${vol.path} (${sizeKiB} KiB) full (confirmed in ${confirmMs} ms: ${said(full, 'a write fails with ENOSPC')})`,
    );
    const hold = (ctx.params.hold ?? PARAMS.hold.min) * 1000;
    await request.hold(hold, what);
    const h0 = Date.now();
    healAsked = true;
    await request.heal();
    let healed = await request.waitFor(['healed'], acts(), `${what}: the heal`);
    if (healed.unfreed === 'retrying') {
      // No pod mounted the volume at the heal (an update between pods): the agent frees it
      // once the replacement does, and the write below can only succeed after that.
      ctx.log(`${what}: the agent on node ${healed.node} could not reach the fill file yet (${healed.seen}); waiting for its retry`);
      const ms = Math.min(TIMEOUTS.agentFreeRetry, timeLeft(ctx.deadline));
      healed = await request.waitFor(['healed'], ms, `${what}: the agent's retry`, (s) => s.unfreed !== 'retrying');
    }
    if (healed.unfreed === 'left')
      throw new ObservationError(`${what}: the agent on node ${healed.node} could not free the volume: ${healed.seen}`);
    const after = await probeUntil(ctx, probing, freeProblem, TIMEOUTS.partitionProbePause);
    if (typeof after === 'string')
      throw new ObservationError(`${what}: freed by the agent (${healed.seen}) but ${pod} still cannot write: ${after}`);
    const healConfirmMs = Date.now() - h0;
    ctx.recorder.mark({ marker: 'disk-full-healed', round: ctx.round, pod, uid, healConfirmMs, ...byOf(after) });
    ctx.log(
      `round ${ctx.round}: ${pod}'s volume freed after ${hold / 1000}s (confirmed in ${healConfirmMs} ms: ${said(after, 'a write succeeds')})`,
    );
  } finally {
    if (!healAsked)
      await request
        .heal()
        .catch((err: unknown) => ctx.log(`${what}: asking the agent to heal failed (it heals at the expiry): ${describeError(err)}`));
    await request.remove();
  }
}

/**
 * The UID of the Running, not terminating pod named `pod`: `was` when it still is that
 * pod, else its replacement's once it runs (said in the log). An error when no such pod
 * shows within `ms`.
 */
async function liveUid(ctx: DisruptionContext, pod: string, was: string, ms: number, what: string): Promise<string> {
  const uid = await ctx.recorder.livePod(pod, 'running', ms, `again (uid ${was} may be gone or terminating)`).catch((err: unknown) => {
    throw new ObservationError(`${what}: ${pod} (uid ${was}) was replaced or is going, and no replacement ran: ${describeError(err)}`);
  });
  if (uid !== was)
    ctx.log(
      `${what}: ${pod} was replaced (uid ${was} → ${uid}) before the fill, as a rolling update does: filling its replacement's volume, the same claim`,
    );
  return uid;
}

/** What a round's probes need: the pod, the volume's path in it, the round's words, and the agent's latest write. */
interface Probing {
  pod: string;
  path: string;
  what: string;
  agent: () => Promise<DiskProbe | undefined>;
}

/** The marker's `by`: present only where the agent's write confirmed it. */
const byOf = (p: Probed): { by?: 'agent' } => (p.by === 'agent' ? { by: 'agent' } : {});

/** What confirmed it, for the log: the write in the pod, or the agent's while the container could not be entered. */
const said = (p: Probed, outcome: string): string =>
  p.by === 'pod' ? outcome : `${outcome} in the agent's write on the same filesystem; ${p.down}`;

/** Up to five probes, `pauseMs` apart, until `problemOf` finds nothing wrong: that probe, else what the last one saw. */
async function probeUntil(
  ctx: DisruptionContext,
  target: Probing,
  problemOf: (p: Probed) => string | undefined,
  pauseMs: number,
  onMiss: (p: Probed, problem: string) => void = () => undefined,
): Promise<Probed | string> {
  const { probeDisk } = await import('../disk-probe.ts');
  let problem = '';
  for (let i = 0; i < 5; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, pauseMs));
    const p = await probeDisk(ctx, target.pod, target.path, target.what, target.agent);
    problem = problemOf(p) ?? '';
    if (!problem) return p;
    onMiss(p, problem);
  }
  return problem;
}

/**
 * The probe that saw a write fail with ENOSPC, else what the last probe saw. The pod may
 * free space between the agent's fill and the probe (etcd drops a WAL segment it could
 * not preallocate; ext4 returns delayed-allocation reservations at writeback): the agent
 * tops the fill up every tick while it holds the fault, so a few probes a tick apart see
 * the volume full again.
 */
async function confirmFull(ctx: DisruptionContext, target: Probing): Promise<Probed | string> {
  const r = await probeUntil(ctx, target, fullProblem, TIMEOUTS.diskFullReprobe, (p, problem) =>
    ctx.log(
      `${target.what}: not full yet ${p.by === 'pod' ? `from inside ${target.pod}` : 'by the agent'} (${problem}); waiting for the agent's top-up`,
    ),
  );
  return typeof r === 'string' ? `${r} (5 probes ${TIMEOUTS.diskFullReprobe / 1000}s apart, the agent topping up between them)` : r;
}
