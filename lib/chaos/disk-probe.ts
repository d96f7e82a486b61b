// The cluster side of disk-full's checks: which volume of the pod holds the workload's
// data (its mount path and claim, the claim's capacity), and the probe run through exec
// in the workload container (lib/chaos/disk-confirm.ts judges its output).
import { ObservationError, describeError } from '../errors.ts';
import type { DisruptionContext } from './disruption.ts';
import type { Workload } from '../workloads/common.ts';
import type { DiskProbe } from '../agent/disk-request.ts';
import { diskProbeScript, parseDiskProbe, quantityBytes } from './disk-confirm.ts';
import { TIMEOUTS, timeLeft } from '../timeouts.ts';

export interface PodVolume {
  path: string;
  claim: string;
  claimBytes: number;
  /** The claim's PersistentVolume (spec.volumeName). */
  volume: string;
}

/**
 * The claim mounted at the workload's data path in its container (the sample workloads'
 * and a --target's derived dataPath), with the capacity the claim got (status.capacity,
 * which a provisioner that rounds up reports truly; the request when it has none yet).
 */
export async function volumeOf(ctx: DisruptionContext, pod: string, what: string): Promise<PodVolume> {
  // list (field-selected), not get: what the run reader's RoleBinding grants (examples/rbac.yaml).
  const one = async <T>(kind: string, name: string, list: (q: { namespace: string; fieldSelector: string }) => Promise<{ items: T[] }>) => {
    const r = await list({ namespace: ctx.namespace, fieldSelector: `metadata.name=${name}` }).catch((err: unknown) => {
      throw new ObservationError(`${what}: cannot read ${kind} ${ctx.namespace}/${name}: ${describeError(err)}`);
    });
    return r.items[0];
  };
  const p = await one('pod', pod, (q) => ctx.cluster.core.listNamespacedPod(q));
  const mounts = p?.spec?.containers.find((c) => c.name === ctx.workload.container)?.volumeMounts ?? [];
  const mount = mounts.find((m) => m.mountPath.replace(/\/+$/, '') === ctx.workload.dataPath.replace(/\/+$/, ''));
  const claim = p?.spec?.volumes?.find((v) => v.name === mount?.name)?.persistentVolumeClaim?.claimName;
  if (!mount || !claim)
    throw new ObservationError(
      `${what}: container ${ctx.workload.container} of ${pod} has no volume claim mounted at ${ctx.workload.dataPath}: nothing to fill`,
    );
  const pvc = await one('claim', claim, (q) => ctx.cluster.core.listNamespacedPersistentVolumeClaim(q));
  const q = pvc?.status?.capacity?.storage ?? pvc?.spec?.resources?.requests?.storage;
  const claimBytes = quantityBytes(q);
  if (claimBytes === undefined) throw new ObservationError(`${what}: claim ${claim} has no capacity in bytes (${q ?? 'none'})`);
  const volume = pvc?.spec?.volumeName;
  if (!volume) throw new ObservationError(`${what}: claim ${claim} is not bound to a PersistentVolume`);
  return { path: mount.mountPath.replace(/\/+$/, ''), claim, claimBytes, volume };
}

/** What a probe needs of the round: where the pod is, which container holds the volume, and the round's deadline. */
export type ProbeContext = Pick<DisruptionContext, 'cluster' | 'namespace' | 'deadline'> & { workload: Pick<Workload, 'container'> };

/** A probe's outcome and who made its write: the probe in the pod, or the agent on the same filesystem. */
export type Probed = (DiskProbe & { by: 'pod' }) | (DiskProbe & { by: 'agent'; down: string });

/**
 * One probe. It writes only its own 4 KiB file and removes it, so an exec that could not
 * run (the container restarting after ENOSPC, the API server blinking) is tried again
 * until TIMEOUTS.diskFullProbe; an exit status is an answer. While the workload container
 * is not running, as a database that exited on ENOSPC waits in CrashLoopBackOff (up to
 * 5 min between restarts), it cannot be entered: then the agent's own write on the same
 * filesystem (`agent`: the latest its status carries) is the answer, and says so.
 */
export async function probeDisk(
  ctx: ProbeContext,
  pod: string,
  path: string,
  what: string,
  agent?: () => Promise<DiskProbe | undefined>,
): Promise<Probed> {
  const { execIn } = await import('../probes/exec.ts');
  const until = Date.now() + Math.min(TIMEOUTS.diskFullProbe, timeLeft(ctx.deadline));
  let last = '';
  for (let tries = 1; ; tries++) {
    try {
      const r = await execIn(
        ctx.cluster,
        ctx.namespace,
        pod,
        ctx.workload.container,
        ['sh', '-c', diskProbeScript(path)],
        Math.max(TIMEOUTS.partitionProbePause, until - Date.now()),
      );
      const parsed = parseDiskProbe(r.stdout);
      if (parsed) return { ...parsed, by: 'pod' };
      last = `the probe printed no result: ${(r.stdout + r.stderr).trim().slice(0, 200) || '(nothing)'}`;
    } catch (err) {
      last = describeError(err);
      const down = agent ? await containerDown(ctx, pod) : undefined;
      const seen = down ? await agent?.() : undefined;
      if (down && seen) return { ...seen, by: 'agent', down };
    }
    if (Date.now() + TIMEOUTS.partitionProbePause >= until)
      throw new ObservationError(`${what}: the volume probe (df and dd through exec in ${pod}) could not run (${tries} tries): ${last}`);
    await new Promise((r) => setTimeout(r, TIMEOUTS.partitionProbePause));
  }
}

/** How the workload container of `pod` is not running (`waiting: CrashLoopBackOff`), or undefined when it runs or cannot be read. */
async function containerDown(ctx: ProbeContext, pod: string): Promise<string | undefined> {
  const list = await ctx.cluster.core
    .listNamespacedPod({ namespace: ctx.namespace, fieldSelector: `metadata.name=${pod}` })
    .catch(() => undefined);
  const s = list?.items[0]?.status?.containerStatuses?.find((c) => c.name === ctx.workload.container);
  if (!s?.state || s.state.running) return undefined;
  const state = s.state.waiting
    ? `waiting: ${s.state.waiting.reason ?? 'no reason'}`
    : `terminated: ${s.state.terminated?.reason ?? 'no reason'}, exit ${s.state.terminated?.exitCode ?? '?'}`;
  return `container ${ctx.workload.container} of ${pod} is not running (${state}; ${s.restartCount} restarts)`;
}
