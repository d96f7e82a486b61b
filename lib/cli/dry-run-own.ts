// `ordinal run --dry-run` with --target or --manifest: exactly what the run would do,
// touching nothing. --target reads the StatefulSet and its pods (read-only: get and
// list), refuses as the real run would, and lists each pod with the actions planned for
// it; --manifest needs no cluster and prints the objects as they would be created.
import { planRounds } from '../chaos/plan.ts';
import { runNamespace, podName } from '../names.ts';
import { newRunId } from '../run/run-id.ts';
import type { RoundPlan } from '../types.ts';
import { SENTINEL_FILE, type Workload } from '../workloads/common.ts';
import type { RunArgs } from './args.ts';
import { describeUpdate } from '../update/mode.ts';

/** The resolved --update, as the run header prints it. */
export function updateLine(a: RunArgs): string {
  return `# ${describeUpdate(a.update ?? 'none', a.updateRound, a.rounds, a.updateSource ?? 'flag', a.updateImage, a.updateNote)}`;
}

function planLines(w: Workload, a: RunArgs): { plan: RoundPlan[]; lines: string[] } {
  const plan = planRounds({ seed: a.seed, statefulSet: w.info.statefulSet, replicas: w.info.replicas, rounds: a.rounds, pattern: a.killPattern });
  return { plan, lines: ['# kill plan', ...plan.map((r) => `round ${r.round} (${r.pattern}): ${r.kills.map((k) => `${k.pod} (${k.action})`).join(', ')}`)] };
}

function describeWorkload(w: Workload): string[] {
  const i = w.info;
  return [
    `# StatefulSet ${i.namespace}/${i.statefulSet}: ${i.replicas} replicas, ${i.podManagementPolicy}, service ${i.service} (SRV port name ${i.portName || '(none)'}), claims ${i.claimTemplates.join(', ') || '(none)'}, container ${w.container}`,
    w.sentinelSkip ? `# sentinel: none (${w.sentinelSkip})` : `# sentinel: ${w.dataPath}/${SENTINEL_FILE} in each pod (written before chaos, read back after${i.kind === 'target' ? ', then removed' : ''}), if the image has a shell`,
  ];
}

export async function dryRunOwn(a: RunArgs, print: (l: string) => void): Promise<number> {
  const runId = newRunId();
  if (a.manifest !== undefined) {
    const { manifestWorkload, placeManifest, readManifest } = await import('../workloads/manifest.ts');
    const namespace = runNamespace(runId);
    const placed = placeManifest(readManifest(a.manifest), namespace, runId);
    const w = manifestWorkload(placed, namespace, { sentinel: a.sentinel ?? 'on', ...(a.sentinelPath ? { sentinelPath: a.sentinelPath } : {}) });
    print(`# dry run: nothing is created or deleted\n# namespace: ${namespace} (labelled ordinal.dev/run-id=${runId})\n# seed: ${a.seed}\n# replay: ${a.replay}`);
    for (const l of describeWorkload(w)) print(l);
    print(updateLine(a));
    for (const o of placed) print(`---\n${JSON.stringify(o, null, 2)}`);
    print('---');
    for (const l of planLines(w, a).lines) print(l);
    return 0;
  }
  const { connect } = await import('../cluster.ts');
  const { ownPods, parseTargetRef, readTarget, targetWorkload } = await import('../run/subject/target.ts');
  const ref = parseTargetRef(a.target ?? '');
  const cluster = await connect({ ...(a.kubeconfig ? { kubeconfig: a.kubeconfig } : {}), ...(a.context ? { context: a.context } : {}), startLocal: false });
  const t = await readTarget(cluster, ref);
  const w = targetWorkload(t, { sentinel: a.sentinel ?? 'on', ...(a.sentinelPath ? { sentinelPath: a.sentinelPath } : {}) });
  const pods = await ownPods(cluster, t);
  const { plan, lines } = planLines(w, a);
  print(`# dry run: nothing is created, written, scaled or deleted\n# target: StatefulSet ${ref.namespace}/${ref.name} (uid ${t.sts.metadata?.uid}), labelled ordinal.dev/chaos=allowed\n# seed: ${a.seed}\n# replay: ${a.replay}`);
  for (const l of describeWorkload(w)) print(l);
  print(updateLine(a));
  print(`# its pods now (selector and controller ownerReference ${t.sts.metadata?.uid}): ${pods.map((p) => `${p.metadata?.name} (uid ${p.metadata?.uid})`).join(', ') || '(none)'}`);
  for (let o = 0; o < w.info.replicas; o++) {
    const name = podName(w.info, o);
    const actions = plan.flatMap((r) => r.kills.filter((k) => k.pod === name).map((k) => `round ${r.round} ${k.action}`));
    const here = pods.some((p) => p.metadata?.name === name) ? '' : ' (not running now: the run would wait for it)';
    print(`pod ${name}${here}: ${actions.join(', ') || 'not killed'}${w.sentinelSkip ? '' : '; sentinel written, read back, removed'}`);
  }
  for (const l of lines) print(l);
  print(`# reads (exec, before the baseline): ${podName(w.info, 0)}'s /etc/resolv.conf for the cluster domain and which tools the image has; then \`hostname\` in each pod and \`nslookup\` in the lowest Ready one, before and after chaos`);
  print('# never: scaling the StatefulSet, deleting it, its claims or the namespace, creating anything in the namespace');
  return 0;
}
