// `container-kill`: the workload's main process dies, as an OOM kill or a crash would end
// it; the kubelet restarts the container in the same pod. PID 1 of the sample workloads
// is a shell that traps TERM and exits at once, so TERM sent through exec ends it (a
// process in the container cannot SIGKILL its own PID 1: the kernel ignores that).
import { ClusterError, describeError } from '../../errors.ts';
import { waitForPod, type Disruption } from '../disruption.ts';
import { TIMEOUTS, timeLeft } from '../../timeouts.ts';

export const containerKill: Disruption = {
  name: 'container-kill',
  expect: 'restarted-in-place',
  needs: 'running',
  describe:
    'signals PID 1 of the workload container (kill -TERM 1 through exec); the pod must restart in place: same UID, restart count + 1, Ready again',
  async apply(ctx, target) {
    // Loaded here, not at the top: the planner and --dry-run load this file without a cluster.
    const { execIn } = await import('../../probes/exec.ts');
    let result: Awaited<ReturnType<typeof execIn>>;
    try {
      result = await execIn(
        ctx.cluster,
        ctx.namespace,
        target.pod,
        ctx.workload.container,
        ['sh', '-c', 'kill -TERM 1'],
        Math.min(TIMEOUTS.containerKillExec, timeLeft(ctx.deadline)),
      );
    } catch (err) {
      // The container may die before the exec's exit status gets out; the watch decides.
      if (restarted(ctx.recorder.pods.get(target.pod), target)) return undefined;
      ctx.log(`container-kill of ${target.pod}: exec ended without a status (${describeError(err)}); waiting for the restart on the watch`);
      return undefined;
    }
    if (result.exitCode !== 0 && result.exitCode !== 137 && result.exitCode !== 143) {
      throw new ClusterError(`container-kill of pod ${target.pod}: 'kill -TERM 1' exited ${result.exitCode}: ${result.stderr.trim()}`);
    }
    return undefined;
  },
  tookEffect: (ctx, target) => waitForPod(ctx, target, 'the container restart', (now) => restarted(now, target)),
};

/** The restart count rose (or the pod is no longer the one aimed at, which STS-RECOVERY judges). */
function restarted(now: { uid: string; restartCount?: number } | undefined, target: { uid: string; restartCount: number }): boolean {
  return !now || now.uid !== target.uid || (now.restartCount ?? 0) > target.restartCount;
}
