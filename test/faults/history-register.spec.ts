// The history client on the real cluster: the etcd sample with --traffic register, one
// member deleted in the round, and the traffic running on for a while before and after the
// kill. The run's history must be well-formed, long enough to mean something, answered by
// every member, and linearizable by `ordinal check-history` (etcd's reads are linearizable
// by default). The client pod's CPU and memory are sampled from the kubelet's stats summary
// while it runs, and the operations per second are measured from the history itself.
// Meanwhile the harness's reads of the client's history file are cut: the reader
// processes in the pod are killed (SIGKILL, mid-chunk) three times, so each read must be
// resumed at its offset; a line lost or repeated would fail the end line's count or the
// linearizability check.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { readHistory } from '../../lib/history/index.ts';
import { pair } from '../../lib/history/pair.ts';
import type { HistoryEvent } from '../../lib/history/events.ts';
import { writeReports } from '../../lib/report/write.ts';
import { clusterExec } from '../../lib/probes/exec.ts';
import { CLIENT_POD } from '../../lib/traffic/client.ts';
import { at, CLIENT_TEST_IMAGE, faultRun, hooks, importClientImage, seedKilling } from './support.ts';
import type { HookContext } from '../../lib/run/execute.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const IMAGE = CLIENT_TEST_IMAGE;
const SEED = seedKilling('etcd', ['etcd-1'], 'delete');
/** Operations the run must have completed at least (a few seconds' worth at the slowest we measured). */
const MIN_OPS = 500;

const samples: { cpuMilli: number; memMiB: number }[] = [];
let dir = '';
let history: HistoryEvent[] = [];
const cutReaders: number[] = [];

/** Kills the processes reading the history file in the client pod's reader container (every process but PID 1 and itself). */
const KILL_READERS = `
const fs = require('fs');
let n = 0;
for (const p of fs.readdirSync('/proc')) {
  if (!/^\\d+$/.test(p) || p === '1' || Number(p) === process.pid) continue;
  try { process.kill(Number(p), 'SIGKILL'); n++; } catch {}
}
console.log(n);
`;

async function cutReads(ctx: HookContext, times: number): Promise<void> {
  const exec = clusterExec(ctx.cluster, ctx.workload.info.namespace, Date.now() + 60_000);
  for (let i = 0; i < times; i++) {
    await new Promise((r) => setTimeout(r, 3000));
    const r = await exec(CLIENT_POD, 'reader', ['node', '-e', KILL_READERS]);
    cutReaders.push(Number(r.stdout.trim()));
  }
}

async function sample(ctx: HookContext, seconds: number): Promise<void> {
  const pod = await ctx.cluster.core.readNamespacedPod({ name: CLIENT_POD, namespace: ctx.workload.info.namespace });
  const node = pod.spec?.nodeName ?? '';
  for (let i = 0; i < seconds; i += 2) {
    await new Promise((r) => setTimeout(r, 2000));
    const r = spawnSync('kubectl', ['get', '--raw', `/api/v1/nodes/${node}/proxy/stats/summary`], { encoding: 'utf8', timeout: 10_000 });
    if (r.status !== 0) continue;
    const summary = JSON.parse(r.stdout) as {
      pods: { podRef: { name: string }; cpu?: { usageNanoCores?: number }; memory?: { workingSetBytes?: number } }[];
    };
    const p = summary.pods.find((x) => x.podRef.name === CLIENT_POD);
    if (p?.cpu?.usageNanoCores !== undefined && p.memory?.workingSetBytes !== undefined)
      samples.push({ cpuMilli: p.cpu.usageNanoCores / 1e6, memMiB: p.memory.workingSetBytes / 2 ** 20 });
  }
}

function opsPerSecond(events: readonly HistoryEvent[]): { ops: number; seconds: number } {
  const done = events.filter((e) => e.type !== 'invoke');
  const t = events.map((e) => e.time);
  return { ops: done.length, seconds: (Math.max(...t) - Math.min(...t)) / 1e9 };
}

faultRun(
  'fault: the etcd sample with --traffic register (history client) while a member is deleted',
  {
    argv: [
      '--workload',
      'etcd',
      '--rounds',
      '1',
      '--seed',
      String(SEED),
      '--traffic',
      'register',
      '--client-image',
      IMAGE,
      '--timeout',
      '90',
    ],
    timeoutMs: 600_000,
    setup: importClientImage,
    // Traffic for 16 s before the kill and 10 s after the round, the client's use sampled meanwhile.
    hook: hooks(
      at('before-kills', async (ctx) => void (await Promise.all([sample(ctx, 16), cutReads(ctx, 3)])), 1),
      at('after-round', (ctx) => sample(ctx, 10), 1),
    ),
    summary: async (run) => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'ordinal-history-'));
      await writeReports(run.result, dir, run.input);
      const file = path.join(dir, run.result.runId, 'history.jsonl');
      if (!run.input?.traffic?.history)
        throw new Error(
          `the run recorded no history (traffic: ${run.input?.traffic?.error ?? run.input?.traffic?.skip ?? 'none'}; run error: ${run.result.error?.message ?? 'none'})\n${run.log.slice(-15).join('\n')}`,
        );
      history = await readHistory(file);
      const { ops, seconds } = opsPerSecond(history);
      const lat = pair(history)
        .filter((o) => o.type === 'ok')
        .map((o) => (o.ret - o.call) / 1e6)
        .sort((x, y) => x - y);
      const pct = (q: number) => (lat[Math.floor(lat.length * q)] ?? 0).toFixed(0);
      const cpu = samples.map((s) => s.cpuMilli);
      const mem = samples.map((s) => s.memMiB);
      const range = (xs: number[]) => {
        const sorted = [...xs].sort((x, y) => x - y);
        return sorted.length ? `median ${sorted[sorted.length >> 1]!.toFixed(0)}, max ${sorted.at(-1)!.toFixed(0)}` : 'n/a';
      };
      const errors = run.result.checks.filter((c) => c.status === 'error').map((c) => c.id);
      return `history: ${ops} operations in ${seconds.toFixed(1)} s (${(ops / seconds).toFixed(0)}/s, ok latency p50 ${pct(0.5)} ms, p90 ${pct(0.9)} ms); client pod CPU ${range(cpu)} millicores, memory ${range(mem)} MiB (${samples.length} samples); checks in error: ${errors.join(', ') || 'none'}`;
    },
    cleanup: async () => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  },
  (t) => {
    it('writes a well-formed history.jsonl with at least 500 completed operations, reads, writes and cas among them', () => {
      const { ops } = opsPerSecond(history);
      expect(ops, 'completed operations').to.be.at.least(MIN_OPS);
      const pairs = pair(history);
      for (const f of ['read', 'write', 'cas']) expect(pairs.filter((o) => o.f === f && o.type === 'ok').length, f).to.be.greaterThan(0);
    });

    it('the history file reads cut three times (a reader killed each time) were resumed: more reads than windows, every line counted', () => {
      expect(cutReaders, 'readers killed per cut').to.have.length(3);
      for (const n of cutReaders) expect(n, `readers killed per cut: ${cutReaders.join(', ')}`).to.be.at.least(1);
      const line = t.run.log.find((l) => / history file read in \d+ exec\(s\)/.test(l)) ?? '';
      expect(Number(/read in (\d+) exec/.exec(line)?.[1]), line).to.be.at.least(4);
    });

    it('every member answered some operation, and the deleted one was killed in the round', () => {
      const answered = new Set(history.filter((e) => e.type === 'ok').map((e) => e.pod));
      expect([...answered].sort()).to.deep.equal(['etcd-0', 'etcd-1', 'etcd-2']);
      const kills = t.run.result.rounds.flatMap((r) => r.plan.kills.map((k) => `${k.pod}:${k.action}`));
      expect(kills).to.deep.equal(['etcd-1:delete']);
    });

    it('`ordinal check-history` judges the history linearizable (exit 0)', () => {
      const file = path.join(dir, t.run.result.runId, 'history.jsonl');
      const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'ordinal.js'), 'check-history', file], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(r.status, `${r.stdout}\n${r.stderr}`).to.equal(0);
      expect(r.stdout).to.match(/: linearizable \(\d+ operations, \d+ keys/);
    });

    it('STS-LINEARIZABLE judges the same history in the run and passes it', () => {
      const lin = t.run.result.checks.find((c) => c.id === 'STS-LINEARIZABLE');
      expect(`${lin?.status}: ${lin?.message}`).to.match(/^passed: /);
    });

    it('STS-WRITES-DURABLE is skipped, naming the register traffic', () => {
      const durable = t.run.result.checks.find((c) => c.id === 'STS-WRITES-DURABLE');
      expect(`${durable?.status}: ${durable?.message}`).to.match(/^skipped: .*register traffic/);
    });
  },
);
