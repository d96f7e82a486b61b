// A run interrupted while its node fault holds a node down leaves no node down. Two real
// `ordinal run --chaos node-fault` processes (web, 2 replicas, one round), one after the
// other (each stops a kubelet), signalled as soon as each logs its node NotReady:
//  TERM: SIGTERM: the run starts the node's kubelet again through the adapter, says so,
//        deletes its namespace and exits 143; the node is Ready and the namespace goes
//        (it could not while a pod sat on a stopped node);
//  KILL: SIGKILL runs nothing: the kubelet stays stopped, noted in the run's creation
//        record, and `ordinal cleanup` reads the note, starts the kubelet and then deletes
//        the namespace.
// Stops kubelets, so it is serial. `after` starts any kubelet still down, whatever failed.
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { expect } from 'chai';
import { STOPPED_PREFIX } from '../../../lib/chaos/node-fault/stopped.ts';
import type { Cluster } from '../../../lib/cluster/cluster.ts';
import { RECORD_NAME } from '../../../lib/run/namespace.ts';
import { type CliResult, LOCAL_MAIN_NODE, nodeScript, runCli, runIdOf, waitRunNamespacesGone } from '../../integration/helpers.ts';
import { componentScript, expectClusterHealthy } from '../components.ts';
import { connectTestCluster, seedKilling } from '../support.ts';

const STATE = process.env.ORDINAL_STATE ?? '/var/lib/ordinal-cluster';
const seed = seedKilling('web', ['web-1'], 'node-fault', { chaos: ['node-fault'], replicas: 2 });
const ARGS = ['run', '--workload', 'web', '--replicas', '2', '--chaos', 'node-fault', '--rounds', '1', '--seed', String(seed)];
/** The run's line once the node controller marked the stopped node NotReady: the fault holds. */
const DOWN = /round 1: node (\S+) NotReady after /;
/** How long after the run exits its node may take to be Ready: the run starts the kubelet and waits for Ready itself. */
const READY_AFTER_EXIT_MS = 30_000;
/** How long the run's namespace may take to go once the run has exited (or cleanup deleted it). */
const GONE_MS = 120_000;

/** Whether the node's kubelet runs: its recorded PID alive and still the kubelet binary (as cluster/scripts/proc.sh checks). */
function kubeletRunning(node: string): boolean {
  const i = /^10\.200\.(\d+)\.1$/.exec(node)?.[1];
  const file = node === LOCAL_MAIN_NODE ? `${STATE}/run/kubelet.pid` : `${STATE}/nodes/n${i}/run/kubelet.pid`;
  if (!existsSync(file)) return false;
  const [pid, exe] = readFileSync(file, 'utf8').trim().split(' ');
  try {
    return readlinkSync(`/proc/${pid}/exe`) === exe;
  } catch {
    return false;
  }
}

async function nodeReady(cluster: Cluster, node: string): Promise<boolean> {
  const n = await cluster.core.readNode({ name: node });
  return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Ms until the node is Ready; undefined when it was not within `ms` (the test then fails saying so). */
async function readyWithin(cluster: Cluster, node: string, ms: number): Promise<number | undefined> {
  const t0 = performance.now();
  while (!(await nodeReady(cluster, node).catch(() => false))) {
    if (performance.now() - t0 > ms) return undefined;
    await new Promise((r) => setTimeout(r, 500));
  }
  return performance.now() - t0;
}

interface Interrupted {
  cli: CliResult;
  runId: string;
  node: string;
}

const show = (c: Interrupted | undefined): string =>
  c ? `exit ${c.cli.code} ${c.cli.signal}\n--- stdout\n${c.cli.stdout.slice(-4000)}\n--- stderr\n${c.cli.stderr.slice(-2000)}` : '(no run)';

/** Runs the node fault and sends `sig` once the run logs its node NotReady. */
async function interrupt(sig: 'SIGTERM' | 'SIGKILL'): Promise<Interrupted> {
  let node = '';
  const cli = await runCli([...ARGS, '--traffic', 'off'], {
    onStdout: (out, signal) => {
      const m = DOWN.exec(out);
      if (m?.[1] && node === '') {
        node = m[1];
        signal(sig);
      }
    },
    killAfterMs: 420_000,
  });
  const runId = runIdOf(cli.stdout);
  if (node === '') throw new Error(`run ${runId} never logged its node NotReady:\n${cli.stdout}\n${cli.stderr}`);
  return { cli, runId, node };
}

describe('fault: a run interrupted mid node-fault leaves no node down (SIGTERM: the run starts it; SIGKILL: `ordinal cleanup` does)', function () {
  this.timeout(900_000);
  let cluster: Cluster;
  let term: Interrupted | undefined;
  let termReadyMs: number | undefined;
  let termGoneMs: number | string = '';
  let kill: Interrupted | undefined;
  let afterKill: { running: boolean; ready: boolean; note: string | undefined } | undefined;
  let cleanup: CliResult | undefined;
  let killReadyMs: number | undefined;
  let killGoneMs: number | string = '';

  before(async function () {
    cluster = await connectTestCluster();
    const t0 = performance.now();
    term = await interrupt('SIGTERM');
    termReadyMs = await readyWithin(cluster, term.node, READY_AFTER_EXIT_MS);
    termGoneMs = await waitRunNamespacesGone(cluster, term.runId, GONE_MS).catch((e: Error) => e.message);
    const t1 = performance.now();
    console.log(`      seed ${seed}; SIGTERM case (run ${term.runId}, node ${term.node}): ${((t1 - t0) / 1000).toFixed(1)}s`);
    // The next run must not start on a node still settling from the first.
    await expectClusterHealthy(cluster, { timeoutMs: 180_000, stableMs: 5000 });
    kill = await interrupt('SIGKILL');
    const k = kill;
    const record = await cluster.core.listNamespacedConfigMap({
      namespace: `ordinal-${k.runId}`,
      fieldSelector: `metadata.name=${RECORD_NAME}`,
    });
    afterKill = {
      running: kubeletRunning(k.node),
      ready: await nodeReady(cluster, k.node),
      note: record.items[0]?.data?.[`${STOPPED_PREFIX}${k.node}`],
    };
    cleanup = await runCli(['cleanup', '--yes', '--run-id', k.runId], { killAfterMs: 300_000 });
    killReadyMs = await readyWithin(cluster, k.node, READY_AFTER_EXIT_MS);
    killGoneMs = await waitRunNamespacesGone(cluster, k.runId, GONE_MS).catch((e: Error) => e.message);
    console.log(
      `      SIGKILL case (run ${k.runId}, node ${k.node}): ${((performance.now() - t1) / 1000).toFixed(1)}s; cleanup took ${(cleanup.ms / 1000).toFixed(1)}s`,
    );
  });

  after(async function () {
    // Whatever failed above, no kubelet stays down for the next spec.
    for (const node of new Set([term?.node, kill?.node])) {
      if (!node || kubeletRunning(node)) continue;
      const r = node === LOCAL_MAIN_NODE ? await componentScript('start', 'kubelet') : await nodeScript('kubelet-start', node);
      console.log(`      after: started the kubelet of ${node} (exit ${r.code}): ${r.output.split('\n').at(-1)}`);
    }
    for (const c of [term, kill]) if (c) await cluster?.core.deleteNamespace({ name: `ordinal-${c.runId}` }).catch(() => undefined);
    if (cluster) await expectClusterHealthy(cluster, { timeoutMs: 240_000, stableMs: 5000 });
  });

  it('TERM: the run exits 143 after saying it starts the stopped node again, before its namespace is deleted', function () {
    expect(term?.cli.code, show(term)).to.equal(143);
    const out = term?.cli.stdout ?? '';
    const received = out.indexOf('received SIGTERM');
    const starting = out.indexOf(`node ${term?.node} is still stopped by round 1's fault: starting it again (local cluster`);
    const started = out.indexOf(`node ${term?.node} started again and Ready`);
    const deleted = out.indexOf(`deleted namespace ordinal-${term?.runId}`);
    expect(received, show(term)).to.be.greaterThan(-1);
    expect(starting, show(term)).to.be.greaterThan(received);
    expect(started, show(term)).to.be.greaterThan(starting);
    expect(deleted, show(term)).to.be.greaterThan(started);
  });

  it("TERM: the node's kubelet runs again and the Node is Ready, and the run's namespace is gone", function () {
    expect(kubeletRunning(term?.node ?? ''), `kubelet of ${term?.node}`).to.equal(true);
    expect(termReadyMs, `node ${term?.node} Ready within ${READY_AFTER_EXIT_MS / 1000}s of the exit`).to.be.a('number');
    expect(termGoneMs, 'the namespace gone').to.be.a('number');
    console.log(
      `      TERM: Ready ${((termReadyMs ?? 0) / 1000).toFixed(1)}s after the exit; namespace gone ${(Number(termGoneMs) / 1000).toFixed(1)}s after that`,
    );
  });

  it("KILL: the kubelet stayed stopped (no code ran), and the run's creation record notes the node", function () {
    expect(kill?.cli.signal, show(kill)).to.equal('SIGKILL');
    expect(afterKill?.running, `kubelet of ${kill?.node} right after the SIGKILL`).to.equal(false);
    expect(afterKill?.ready).to.equal(false);
    expect(afterKill?.note, `${RECORD_NAME} of run ${kill?.runId}`).to.match(/^round 1 at \S+ \(local cluster/);
  });

  it('KILL: `ordinal cleanup` starts the node again, then deletes the namespace; the kubelet runs and the Node is Ready', function () {
    const out = cleanup?.stdout ?? '';
    expect(cleanup?.code, `${out}\n${cleanup?.stderr}`).to.equal(0);
    const starting = out.indexOf(`node ${kill?.node}, stopped by the run in ordinal-${kill?.runId} (round 1 at `);
    const started = out.indexOf(`node ${kill?.node}: started again and Ready`);
    const deleted = out.indexOf(`deleted ordinal-${kill?.runId}`);
    expect(starting, out).to.be.greaterThan(-1);
    expect(started, out).to.be.greaterThan(starting);
    expect(deleted, out).to.be.greaterThan(started);
    expect(kubeletRunning(kill?.node ?? ''), `kubelet of ${kill?.node}`).to.equal(true);
    expect(killReadyMs, `node ${kill?.node} Ready within ${READY_AFTER_EXIT_MS / 1000}s of cleanup's exit`).to.be.a('number');
    expect(killGoneMs, 'the namespace gone').to.be.a('number');
  });
});
