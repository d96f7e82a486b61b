// `ordinal run --dry-run`: exactly what the run would do, touching nothing, for each
// subject. The plan comes from planRun (lib/run/plan.ts), as the run's own does. A sample
// and a --manifest need no cluster and print the objects as they would be created;
// --target reads the StatefulSet and its pods (read-only: get and list), refuses as the
// real run would, and lists each pod with the disruptions planned for it.
import { describeRound } from '../chaos/plan.ts';
import { DISRUPTIONS } from '../chaos/disruptions/index.ts';
import { podName, runNamespace, startOrdinal } from '../names.ts';
import { type RunPlan, planRun, podsOf } from '../run/plan.ts';
import { newRunId } from '../run/run-id.ts';
import { sampleWorkload } from '../run/subject/sample-workload.ts';
import { trafficDriverFor } from '../traffic/driver.ts';
import { describeUpdate } from '../update/mode.ts';
import { SENTINEL_FILE, type Workload } from '../workloads/common.ts';
import { describeStsOptions, pickStsOptions } from '../workloads/sts-options.ts';
import { type RunArgs, replayCommand } from './args.ts';

type Print = (line: string) => void;

/** The planned update, as the run header prints it. */
function updateLine(plan: RunPlan): string {
  const u = plan.update;
  return `# ${describeUpdate(u.mode, u.round, plan.roundCount, u.chosenBy, u.image, u.note)}`;
}

function planLines(plan: RunPlan): string[] {
  return ['# kill plan', ...plan.rounds.map(describeRound)];
}

function header(a: RunArgs, plan: RunPlan, what: string): string {
  return `# dry run: ${what}\n# seed: ${a.seed}\n# replay: ${replayCommand(a, plan)}`;
}

function describeWorkload(w: Workload): string[] {
  const i = w.info;
  return [
    `# StatefulSet ${i.namespace}/${i.statefulSet}: ${i.replicas} replicas, ${i.podManagementPolicy}, service ${i.service} (SRV port name ${i.portName || '(none)'}), claims ${i.claimTemplates.join(', ') || '(none)'}, container ${w.container}`,
    w.sentinelSkip
      ? `# sentinel: none (${w.sentinelSkip})`
      : `# sentinel: ${w.dataPath}/${SENTINEL_FILE} in each pod (written before chaos, read back after${i.kind === 'target' ? ', then removed' : ''}), if the image has a shell`,
  ];
}

export async function dryRun(a: RunArgs, print: Print): Promise<number> {
  if (a.target !== undefined) return dryRunTarget(a, a.target, print);
  if (a.manifest !== undefined) return dryRunManifest(a, a.manifest, print);
  return dryRunSample(a, print);
}

function dryRunSample(a: RunArgs, print: Print): number {
  const runId = newRunId();
  const w = sampleWorkload(a, runId, a.storageClass);
  const plan = planRun(a, { kind: 'sample', workload: w });
  print(header(a, plan, `nothing is created or deleted\n# namespace: ${w.info.namespace} (labelled ordinal.dev/run-id=${runId})`));
  print(`# StatefulSet options: ${describeStsOptions(pickStsOptions(a))}`);
  print(updateLine(plan));
  if (a.maxUnavailable !== undefined)
    print(
      '# --max-unavailable: a real run first checks (dry-run create) that the cluster keeps it, and leaves it out with the reason otherwise',
    );
  const driver = trafficDriverFor(w);
  print(
    a.traffic === 'off'
      ? '# traffic: off (--traffic off): STS-WRITES-DURABLE will be skipped'
      : a.traffic === 'register' || a.traffic === 'set' || a.traffic === 'bank'
        ? `# traffic: pod ordinal-traffic runs the ${a.traffic} history client (image ${a.clientImage ?? ''}${a.traffic === 'register' ? `, ${a.etcdRead ?? 'linearizable'} reads` : ''}) during chaos; history.jsonl in the report`
        : driver
          ? `# traffic: pod ordinal-traffic writes ${a.trafficRate ?? 20}/s across the pods by their DNS names during chaos (${driver.name} driver)`
          : `# traffic: none, no traffic driver for ${a.workload}: STS-WRITES-DURABLE will be skipped`,
  );
  if (a.podManagementPolicy === 'Parallel')
    print('# Parallel: STS-ORDER-CREATE, STS-ORDER-RECREATE and STS-ORDER-SCALEDOWN will be skipped');
  for (const o of w.objects) print(`---\n${JSON.stringify(o, null, 2)}`);
  print('---\n# disruptions (--chaos)');
  for (const name of a.chaos) print(`${name}: ${DISRUPTIONS[name].describe} (expects: ${DISRUPTIONS[name].expect})`);
  print('---');
  for (const l of planLines(plan)) print(l);
  return 0;
}

async function dryRunManifest(a: RunArgs, file: string, print: Print): Promise<number> {
  const runId = newRunId();
  const { manifestWorkload, placeManifest, readManifest } = await import('../workloads/manifest.ts');
  const namespace = runNamespace(runId);
  const placed = placeManifest(readManifest(file), namespace, runId);
  const w = manifestWorkload(placed, namespace, {
    sentinel: a.sentinel ?? 'on',
    ...(a.sentinelPath ? { sentinelPath: a.sentinelPath } : {}),
  });
  const plan = planRun(a, { kind: 'manifest', workload: w });
  print(header(a, plan, `nothing is created or deleted\n# namespace: ${namespace} (labelled ordinal.dev/run-id=${runId})`));
  for (const l of describeWorkload(w)) print(l);
  print(updateLine(plan));
  for (const o of placed) print(`---\n${JSON.stringify(o, null, 2)}`);
  print('---');
  for (const l of planLines(plan)) print(l);
  return 0;
}

async function dryRunTarget(a: RunArgs, ref: string, print: Print): Promise<number> {
  const { connect } = await import('../cluster/cluster.ts');
  const { ownPods, parseTargetRef, readTarget, targetWorkload } = await import('../run/subject/target.ts');
  const r = parseTargetRef(ref);
  const cluster = await connect({
    ...(a.kubeconfig ? { kubeconfig: a.kubeconfig } : {}),
    ...(a.context ? { context: a.context } : {}),
    startLocal: false,
  });
  const t = await readTarget(cluster, r);
  const w = targetWorkload(t, { sentinel: a.sentinel ?? 'on', ...(a.sentinelPath ? { sentinelPath: a.sentinelPath } : {}) });
  const pods = await ownPods(cluster, t);
  const plan = planRun(a, { kind: 'target', workload: w });
  print(
    header(
      a,
      plan,
      `nothing is created, written, scaled or deleted\n# target: StatefulSet ${r.namespace}/${r.name} (uid ${t.sts.metadata?.uid}), labelled ordinal.dev/chaos=allowed`,
    ),
  );
  for (const l of describeWorkload(w)) print(l);
  print(updateLine(plan));
  print(
    `# its pods now (selector and controller ownerReference ${t.sts.metadata?.uid}): ${pods.map((p) => `${p.metadata?.name} (uid ${p.metadata?.uid})`).join(', ') || '(none)'}`,
  );
  for (const name of podsOf(plan.ordinals)) {
    const planned = plan.rounds.flatMap((round) =>
      round.kills.filter((k) => k.pod === name).map((k) => `round ${round.round} ${k.action}`),
    );
    const here = pods.some((p) => p.metadata?.name === name) ? '' : ' (not running now: the run would wait for it)';
    print(`pod ${name}${here}: ${planned.join(', ') || 'not killed'}${w.sentinelSkip ? '' : '; sentinel written, read back, removed'}`);
  }
  for (const l of planLines(plan)) print(l);
  const first = podName(w.info, startOrdinal(w.info));
  print(
    `# reads (exec, before the baseline): ${first}'s /etc/resolv.conf for the cluster domain and which tools the image has; then \`hostname\` in each pod and \`nslookup\` in the lowest Ready one, before and after chaos`,
  );
  print('# never: scaling the StatefulSet, deleting it, its claims or the namespace, creating anything in the namespace');
  return 0;
}
