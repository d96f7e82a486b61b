// A partition outlives no harness. Two real `ordinal run --chaos partition` processes
// (web, 2 replicas, side by side so the spec costs one run's time) are SIGKILLed as soon
// as each prints its confirmed cut, in the middle of the hold:
//  A: nobody touches its request: the node agent heals it by itself at the expiry the
//     dead harness last wrote (the dead man's switch), and no rule is left in any pod;
//  B: its expiry moved 2 minutes ahead by the spec (so no expiry can heal it in time),
//     `ordinal cleanup --yes --run-id B` asks the agent to heal, sees its confirmation,
//     and only then deletes the namespace.
// Each looks into the pods' network namespaces from the host: the agent's chain is there
// right after the kill (so "no rule left" is not vacuous) and gone afterwards. Only the
// spec's own namespaces are touched (the agent is not restarted), so it runs in parallel.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { podPid } from '../../lib/agent/node.ts';
import { CHAIN, FAULT_REQUEST_NAME, type FaultStatus, parseStatus } from '../../lib/agent/request.ts';
import type { Cluster } from '../../lib/cluster/cluster.ts';
import { TIMEOUTS } from '../../lib/timeouts.ts';
import { connectTestCluster, runCli, type CliResult } from '../integration/helpers.ts';
import { seedKilling } from './support.ts';

const run = promisify(execFile);
/** The bare filter table of a pod no one added rules to. */
const BARE_RULES = ['-P INPUT ACCEPT', '-P FORWARD ACCEPT', '-P OUTPUT ACCEPT'];

/** The pod's filter table read from the host (`iptables -S` in its netns), or undefined when the pod has no process here (gone). */
async function rulesOf(podUid: string): Promise<string | undefined> {
  const pid = await podPid(podUid);
  if (pid === undefined) return undefined;
  return (await run('nsenter', [`--net=/proc/${pid}/ns/net`, 'iptables', '-w', '5', '-S']).catch(() => undefined))?.stdout;
}

/** Like rulesOf, but a pod with no network namespace here is an error: the check would be vacuous. */
async function rulesOfLive(podUid: string): Promise<string> {
  const rules = await rulesOf(podUid);
  if (rules === undefined) throw new Error(`no process of pod uid ${podUid} on this machine: its rules cannot be read`);
  return rules;
}

const seed = seedKilling('web', ['web-1'], 'partition', { chaos: ['partition'], replicas: 2 });
/** The agent reads requests every agentTick; its write-back and this spec's poll add a little. */
const SLACK_MS = TIMEOUTS.agentTick + 2000;
/** B's expiry, moved ahead by the spec: far beyond how long cleanup may take to heal (TIMEOUTS.faultAgentActs). */
const HOLD_B_MS = 120_000;
const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
/** The namespaces of the harnesses this spec killed (none of them deleted its own): deleted in `after`. */
const spawned: string[] = [];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Crash {
  cli: CliResult;
  namespace: string;
  runId: string;
  pod: string;
  /** Wall ms of the SIGKILL. */
  killedAt: number;
  /** The request as the dead harness left it. */
  expires: number;
  before: FaultStatus | undefined;
  /** Pod name -> UID, and the target's filter table right after the kill. */
  uids: Map<string, string>;
  rulesAtKill: string;
}

const show = (c: Crash | undefined): string =>
  c ? `exit ${c.cli.code} ${c.cli.signal}\n--- stdout\n${c.cli.stdout.slice(-3000)}\n--- stderr\n${c.cli.stderr.slice(-2000)}` : '(no run)';

/** The run's (first) fault request: its expiry, the agent's status, and the pod it puts rules into. */
async function readRequest(
  cluster: Cluster,
  namespace: string,
): Promise<{ expires: number; status: FaultStatus | undefined; pod: string }> {
  const cm = await cluster.core.readNamespacedConfigMap({ name: FAULT_REQUEST_NAME, namespace });
  return { expires: Number(cm.data?.expires), status: parseStatus(cm.data?.status), pod: cm.data?.pod ?? '' };
}

/** The harness's line for a confirmed cut (one pod isolated: "web-1 partitioned from ..."; any shape: "partition (shape) ...: confirmed in"). */
const CONFIRMED = /round 1: (\S+ partitioned from |partition \([^)]*\) [^\n]*: confirmed in )/;

/**
 * Runs `ordinal run --chaos partition` and SIGKILLs it once it prints the confirmed cut.
 * `holdFor`: the spec then moves the dead harness's expiry this far ahead itself, first
 * thing (a merge patch, as a renewal is), so that only `ordinal cleanup` can heal it
 * within the test: a CLI started after the kill cannot be sure to beat a 10 s expiry on
 * a loaded machine (seen: 7.6 s just to start and list namespaces at load average 41).
 */
async function crash(cluster: Cluster, holdFor?: number): Promise<Crash> {
  let killedAt = 0;
  const cli = await runCli(
    ['run', '--workload', 'web', '--replicas', '2', '--chaos', 'partition', '--rounds', '1', '--seed', String(seed), '--traffic', 'off'],
    {
      onStdout: (out, signal) => {
        if (killedAt === 0 && CONFIRMED.test(out)) {
          killedAt = Date.now();
          signal('SIGKILL');
        }
      },
      killAfterMs: 240_000,
    },
  );
  const runId = /\] run (\S+): /.exec(cli.stdout)?.[1];
  if (runId) spawned.push(`ordinal-${runId}`);
  if (killedAt === 0 || !runId) throw new Error(`the harness never printed a confirmed partition:\n${cli.stdout}\n${cli.stderr}`);
  const namespace = `ordinal-${runId}`;
  if (holdFor !== undefined)
    await cluster.core.patchNamespacedConfigMap(
      { name: FAULT_REQUEST_NAME, namespace, body: { data: { expires: String(Date.now() + holdFor) } } },
      merge,
    );
  const { expires, status, pod } = await readRequest(cluster, namespace);
  const pods = await cluster.core.listNamespacedPod({ namespace });
  const uids = new Map(pods.items.map((p) => [p.metadata?.name ?? '', p.metadata?.uid ?? '']));
  const rulesAtKill = await rulesOfLive(uids.get(pod) ?? '');
  return { cli, namespace, runId, pod, killedAt, expires, before: status, uids, rulesAtKill };
}

interface Sample {
  at: number;
  status: FaultStatus | undefined;
  /** undefined: the pod's network namespace was gone from this machine. */
  rules: string | undefined;
}

/** Samples the request's status and the target's rules until `done` settles. */
async function sampleWhile(cluster: Cluster, c: Crash, done: Promise<unknown>): Promise<Sample[]> {
  const samples: Sample[] = [];
  let over = false;
  void done.finally(() => {
    over = true;
  });
  while (!over) {
    const status = await readRequest(cluster, c.namespace).then(
      (r) => r.status,
      () => undefined,
    );
    samples.push({ at: Date.now(), status, rules: await rulesOf(c.uids.get(c.pod) ?? '') });
    await sleep(50);
  }
  return samples;
}

describe('fault: a partition outlives no harness: SIGKILLed, healed by the agent at the expiry, or by `ordinal cleanup` at once', function () {
  this.timeout(360_000);
  let cluster: Cluster;
  let a: Crash | undefined;
  let b: Crash | undefined;
  let healedA: { status: FaultStatus; expires: number } | undefined;
  let rulesAfterA = new Map<string, string>();
  let cleanupB: CliResult | undefined;
  let samplesB: Sample[] = [];
  let cleanupA: CliResult | undefined;
  let started = 0;

  before(async function () {
    cluster = await connectTestCluster();
    started = performance.now();
    // Each case starts the moment its own harness is dead: B's cleanup must beat B's expiry.
    const [ra, rb] = await Promise.all([
      crash(cluster).then(async (c) => ({ c, expired: await awaitExpiryHeal(c) })),
      crash(cluster, HOLD_B_MS).then(async (c) => {
        const cleaning = runCli(['cleanup', '--yes', '--run-id', c.runId]);
        const [samples, cleaned] = await Promise.all([sampleWhile(cluster, c, cleaning), cleaning]);
        return { c, samples, cleaned };
      }),
    ]);
    [a, b] = [ra.c, rb.c];
    samplesB = rb.samples;
    cleanupB = rb.cleaned;
    healedA = ra.expired;
    const crashA = a;
    rulesAfterA = new Map(await Promise.all([...crashA.uids].map(async ([pod, uid]) => [pod, await rulesOfLive(uid)] as const)));
    cleanupA = await runCli(['cleanup', '--yes', '--run-id', crashA.runId]);
    console.log(
      `      seed ${seed}; runs ${a.runId} (expiry) and ${b.runId} (cleanup): ${((performance.now() - started) / 1000).toFixed(1)}s in all`,
    );
  });

  /** The healed status, and the expiry the request held then (a renewal in flight at the SIGKILL may have landed after the first read). */
  async function awaitExpiryHeal(c: Crash): Promise<{ status: FaultStatus; expires: number }> {
    const until = Date.now() + TIMEOUTS.faultExpiry + TIMEOUTS.faultAgentActs;
    let last: FaultStatus | undefined;
    while (Date.now() < until) {
      const r = await readRequest(cluster, c.namespace);
      last = r.status;
      if (last?.phase === 'healed') return { status: last, expires: r.expires };
      await sleep(200);
    }
    throw new Error(
      `run ${c.runId}: the request was not healed within the expiry and the agent's budget; last status ${JSON.stringify(last)}`,
    );
  }

  after(async function () {
    for (const name of spawned) await cluster?.core.deleteNamespace({ name }).catch(() => undefined);
  });

  it('each harness was SIGKILLed mid-hold, its partition applied by the agent and its chain in the target', function () {
    for (const c of [a, b]) {
      expect(c?.cli.signal, show(c)).to.equal('SIGKILL');
      expect(c?.before?.phase, show(c)).to.equal('applied');
      expect(c?.rulesAtKill, show(c)).to.include(`-N ${CHAIN}`);
      expect(c?.expires, 'the expiry lies ahead of the kill').to.be.greaterThan(c?.killedAt ?? Number.POSITIVE_INFINITY);
    }
  });

  it('A: the agent healed it by itself at the expiry the dead harness last wrote, within the expiry of the kill', function () {
    const s = healedA?.status;
    expect(s?.healedBecause, JSON.stringify(s)).to.equal('expired');
    const healedAt = s?.healedAt ?? 0;
    const expires = healedA?.expires ?? Number.POSITIVE_INFINITY;
    expect(expires, 'no renewal after the kill moved the expiry by more than one renewal').to.be.at.most(
      (a?.killedAt ?? 0) + TIMEOUTS.faultExpiry + SLACK_MS,
    );
    expect(healedAt, 'not before the expiry').to.be.at.least(expires);
    expect(healedAt - expires, 'promptly at the expiry').to.be.at.most(SLACK_MS);
    expect(healedAt - (a?.killedAt ?? 0), 'within the expiry of the kill').to.be.at.most(TIMEOUTS.faultExpiry + SLACK_MS);
  });

  it("A: no rule is left in any pod's network namespace: every filter table is bare", function () {
    expect([...rulesAfterA.keys()].sort()).to.deep.equal(['web-0', 'web-1']);
    for (const [pod, rules] of rulesAfterA) expect(rules.trim().split('\n'), pod).to.deep.equal(BARE_RULES);
  });

  it('A: `ordinal cleanup` later finds nothing held (healed at the expiry) and deletes the namespace', function () {
    expect(cleanupA?.code, cleanupA?.stdout).to.equal(0);
    expect(cleanupA?.stdout).to.match(/fault request ordinal-\S+\/ordinal-fault: nothing held \(healed on node \S+: expired\)/);
    expect(cleanupA?.stdout).to.include(`deleted ${a?.namespace}`);
  });

  it('B: `ordinal cleanup` asked the agent to heal, saw it confirmed (asked, not expired), then deleted the namespace', function () {
    expect(cleanupB?.code, `${cleanupB?.stdout}\n${cleanupB?.stderr}`).to.equal(0);
    const out = cleanupB?.stdout ?? '';
    const said = out.indexOf(`fault request ${b?.namespace}/ordinal-fault: healed by the agent on node`);
    expect(said, out).to.be.greaterThan(-1);
    // "(asked)" is the agent's own word: only a heal that was asked for says so, never an expiry (2 min away).
    expect(out.slice(said)).to.match(/^[^\n]*\(asked\): rules removed from the netns of pid \d+/);
    expect(out.indexOf(`deleted ${b?.namespace}`), 'deleted after the heal was confirmed').to.be.greaterThan(said);
  });

  it("B: the target's chain went while its network namespace still existed, and never came back", function () {
    // The samples of the live netns, in order: the chain at first, then gone for good (the namespace's deletion came after).
    const live = samplesB.filter((x) => x.rules !== undefined);
    const firstClean = live.findIndex((x) => !x.rules?.includes(CHAIN));
    expect(firstClean, `no sample of the live netns without the chain: ${JSON.stringify(live.at(-1))}`).to.be.greaterThan(0);
    expect(live[0]?.rules, 'the chain held when cleanup started').to.include(`-N ${CHAIN}`);
    for (const x of live.slice(firstClean)) expect(x.rules, `at ${x.at}`).to.not.include(CHAIN);
  });
});
