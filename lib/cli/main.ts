// `ordinal run | cleanup | checks | report`: the command line platform teams and CI jobs use.
// The Kubernetes client is heavy to load (~90 MB, ~0.3 s), so only the commands that talk
// to a cluster import it, lazily (lib/run/execute.ts, lib/cluster/cluster.ts, lib/run/namespace.ts); `checks`,
// `report`, `--help` and `run --dry-run` start without it. test/unit/cli/startup.spec.ts holds this.
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { CHECKS } from '../checks/catalog.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { ClusterError, UsageError, describeError } from '../errors.ts';
import { redact } from '../redact.ts';
import { forTerminal } from '../report/escape.ts';
import { CLI_REPORTERS } from '../report/reporters.ts';
import { exitCodeOf } from '../report/stats.ts';
import { writeReports } from '../report/write.ts';
import { parseRunArgs, runHelp, type RunArgs } from './args.ts';
import { dryRun } from './dry-run.ts';
import { errorLine, logLine, logSafeLine, verdictLine, warnLine } from './output.ts';
import { reportCommand } from './report.ts';
import { trafficCommand, verifyWritesCommand } from './traffic.ts';
import { ensureWritableDir } from '../user-file.ts';
import { checkHistoryCommand } from './check-history.ts';
import { clientCommand } from './client.ts';
import { agentCommand } from './agent.ts';

const USAGE = `Usage: ordinal <command> [flags]

Commands:
  run       deploy a sample StatefulSet, run seeded chaos rounds, check and report
  cleanup   delete namespaces left behind by earlier runs (found by label)
  checks    print the check catalog
  report    rebuild <report-dir>/index.html, the history of all runs, from their results.json
  traffic   export-k6: write a k6 TypeScript script doing the same writes as a run's traffic
  verify-writes  read acknowledged keys (from a k6 console log) back from the pods: 0 none lost, 1 lost
  check-history  judge a saved history.jsonl (register: read, write, cas) for linearizability: 0 yes, 1 no
  agent     the node agent that applies network faults (run by examples/agent.yaml's DaemonSet)

Run 'ordinal <command> --help' for a command's flags.`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'run') return await runCommand(parseRunArgs(rest));
    if (command === 'cleanup') return await cleanupCommand(rest);
    if (command === 'checks') return checksCommand();
    if (command === 'report') return await reportCommand(rest);
    if (command === 'traffic') return trafficCommand(rest);
    if (command === 'verify-writes') return await verifyWritesCommand(rest);
    if (command === 'check-history') return await checkHistoryCommand(rest);
    // The history client inside its pod (lib/traffic/history-client.ts), not listed in the usage.
    if (command === 'client') return await clientCommand();
    if (command === 'agent') return await agentCommand(rest);
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown command "${command}"\n${USAGE}`);
  } catch (err) {
    if (err instanceof UsageError || err instanceof ClusterError) {
      errorLine(err.message);
      if (err instanceof ClusterError && err.detail) process.stderr.write(`${forTerminal(redact(err.detail))}\n`);
      return 2;
    }
    errorLine(`unexpected failure: ${describeError(err)}`);
    if (err instanceof Error && err.stack) process.stderr.write(`${forTerminal(err.stack)}\n`);
    return 2;
  }
}

async function runCommand(a: RunArgs): Promise<number> {
  if (a.help) {
    console.log(runHelp());
    return 0;
  }
  if (a.dryRun) return dryRun(a, (l) => console.log(forTerminal(l)));
  // Before the run, not after it: a verdict with nowhere to go is lost.
  ensureWritableDir('--report-dir', a.reportDir);
  if (a.manifest !== undefined) {
    // The file and the sentinel's place in it need no cluster: refused before connecting, as --dry-run does.
    const { manifestWorkload, readManifest } = await import('../workloads/manifest.ts');
    manifestWorkload(readManifest(a.manifest).objects, '', {
      sentinel: a.sentinel ?? 'on',
      ...(a.sentinelPath ? { sentinelPath: a.sentinelPath } : {}),
    });
  }
  const { executeRun } = await import('../run/execute.ts');
  const { result, input } = await executeRun({ ...a, log: logLine });
  const { warnings } = await writeReports(result, a.reportDir, input, {
    reporters: CLI_REPORTERS,
    log: logSafeLine,
    emphasise: verdictLine,
  });
  for (const w of warnings) warnLine(w);
  if (result.error) errorLine(result.error.message);
  return exitCodeOf(result);
}

async function cleanupCommand(argv: string[]): Promise<number> {
  const parse = () =>
    parseArgs({
      args: argv,
      options: {
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        'run-id': { type: 'string' },
        yes: { type: 'boolean', short: 'y' },
        help: { type: 'boolean' },
      },
      strict: true,
    });
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse());
  } catch (err) {
    throw new UsageError(`${(err as Error).message}; see 'ordinal cleanup --help'`);
  }
  if (values.help) {
    console.log(
      [
        'Usage: ordinal cleanup [--kubeconfig path] [--context name] [--run-id id] [--yes]',
        '',
        'Lists namespaces labelled app.kubernetes.io/managed-by=ordinal with a run ID and deletes them after confirmation:',
        'only those named ordinal-<run-id> whose creation record (ConfigMap ordinal-run) holds their own UID.',
        "A fault a run left applied (the harness died mid-fault) is healed first, and the node agent's confirmation awaited;",
        'a node it left stopped (node-fault, kubelet-restart) is started again (local cluster or kind).',
        "  --run-id id  only that run's namespaces (on a shared cluster, leave other people's runs alone)",
        '  --yes, -y    skip the question; required when stdin is not a terminal',
      ].join('\n'),
    );
    return 0;
  }
  const { connect } = await import('../cluster/cluster.ts');
  const { deleteRunNamespace, findRunNamespaces } = await import('../run/namespace.ts');
  // startLocal false: starting a cluster only to look for leftovers in it makes no sense.
  const cluster = await connect({
    ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
    ...(values.context ? { context: values.context } : {}),
    startLocal: false,
  });
  const runId = values['run-id'];
  const labelled = (await findRunNamespaces(cluster)).filter((ns) => runId === undefined || ns.runId === runId);
  // Labels can be copied: a namespace Ordinal did not create is named, never deleted.
  for (const ns of labelled) {
    if (!ns.notOurs) continue;
    // Namespaces from versions before the creation record have none: their owner deletes them by hand.
    const hint = ns.notOurs.includes('no creation record')
      ? ` (if it is yours, from an older Ordinal: kubectl delete namespace ${ns.name})`
      : '';
    console.log(`leaving ${ns.name} alone: labelled like a run, but ${ns.notOurs}${hint}`);
  }
  const left = labelled.filter((ns) => !ns.notOurs);
  if (left.length === 0) {
    console.log(runId ? `no namespaces from run ${runId}` : 'no namespaces from earlier runs');
    return 0;
  }
  console.log('namespaces left by earlier runs:');
  for (const ns of left) console.log(`  ${ns.name}  run ${ns.runId}  created ${ns.created}  ${ns.phase}`);
  if (!values.yes) {
    if (!process.stdin.isTTY) throw new UsageError('stdin is not a terminal: pass --yes to delete these namespaces');
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await rl.question(`delete ${left.length} namespace(s)? [y/N] `);
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      console.log('nothing deleted');
      return 0;
    }
  }
  const problems = await healLeftovers(cluster, left);
  for (const ns of left) {
    await deleteRunNamespace(cluster, ns.name, ns.runId);
    console.log(`deleted ${ns.name}`);
  }
  // The namespaces went all the same (their pods' network namespaces with them), but a heal nobody confirmed is said loudly.
  for (const p of problems) console.error(`could not confirm a heal: ${p}`);
  return problems.length > 0 ? 2 : 0;
}

/** What dead runs left applied, healed before their namespaces go; returns what could not be confirmed. */
async function healLeftovers(cluster: Cluster, left: { name: string }[]): Promise<string[]> {
  // Faults first, confirmed by the agent, while the pods (and their network namespaces) still exist.
  const { healLeftoverFaults } = await import('../chaos/fault-heal.ts');
  const heals = (await Promise.all(left.map((ns) => healLeftoverFaults(cluster, ns.name, (l) => console.log(l))))).flat();
  for (const h of heals) if (h.said) console.log(h.said);
  // Then nodes a dead run left stopped (node-fault, kubelet-restart): their pods would keep the namespace Terminating.
  const { startNodesLeftStopped } = await import('../chaos/node-fault/stopped.ts');
  const nodes = [];
  for (const ns of left) nodes.push(await startNodesLeftStopped(cluster, ns.name, (l) => console.log(l)));
  for (const line of nodes.flatMap((n) => n.said)) console.log(line);
  return [...heals.flatMap((h) => (h.problem ? [h.problem] : [])), ...nodes.flatMap((n) => n.problems)];
}

function checksCommand(): number {
  for (const c of CHECKS) console.log(`${c.id.padEnd(20)} ${c.guarantee}`);
  return 0;
}
