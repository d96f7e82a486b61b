// Planting faults into the postgres sample (--workload postgres): its image imported into
// every node, SQL run through psql inside a pod, a replica promoted by hand. Shared by the
// postgres fault specs (and any spec that folds several postgres faults into one run).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { execIn } from '../../lib/probes/exec.ts';
import type { HookContext } from '../../lib/run/execute.ts';
import { expect } from 'chai';
import { describeRun, type FaultRun } from './support.ts';
import { POSTGRES_USER } from '../../lib/workloads/postgres.ts';

/** Builds the sample's image (cached by version and content) and imports it into every node's containerd. */
export function importPostgresImage(): void {
  const script = path.resolve(import.meta.dirname, '../../cluster/scripts/postgres-image.sh');
  const r = spawnSync('bash', [script, '--import'], { encoding: 'utf8', timeout: 280_000 });
  if (r.status !== 0) throw new Error(`postgres-image.sh --import failed (exit ${r.status ?? r.signal}):\n${r.stderr}`);
}

/** Runs `sql` with psql in `pod` (one statement per entry, stopping at the first error); its unaligned output. */
export async function psqlIn(ctx: HookContext, pod: string, ...sql: string[]): Promise<string> {
  const cmd = [
    'psql',
    '-h',
    '127.0.0.1',
    '-U',
    POSTGRES_USER,
    '-d',
    'postgres',
    '-XAtq',
    '-v',
    'ON_ERROR_STOP=1',
    ...sql.flatMap((s) => ['-c', s]),
  ];
  const r = await execIn(ctx.cluster, ctx.workload.info.namespace, pod, ctx.workload.container, cmd);
  if (r.exitCode !== 0) throw new Error(`psql in ${pod} exited ${r.exitCode} on ${JSON.stringify(sql)}: ${r.stderr.trim()}`);
  ctx.log(`fault: psql in ${pod}: ${sql.join('; ')}`);
  return r.stdout.trim();
}

/**
 * Promotes the replica `pod` by hand (pg_promote, waiting until it is done): it leaves
 * recovery on a new timeline and takes writes, a second primary beside db-0. It stays
 * Ready (its readiness accepts any server not in recovery), so the round still converges.
 */
export async function promoteReplica(ctx: HookContext, pod: string): Promise<void> {
  const done = await psqlIn(ctx, pod, 'select pg_promote(true, 30)');
  if (done !== 't') throw new Error(`pg_promote() in ${pod} answered ${JSON.stringify(done)}, not t`);
  const inRecovery = await psqlIn(ctx, pod, 'select pg_is_in_recovery()');
  if (inRecovery !== 'f') throw new Error(`${pod} is still in recovery after pg_promote()`);
}

/** One short run of the sample: 3 servers, one round of deletes (the seed picks whom), 2-minute waits. */
export const postgresArgv = (seed: number): string[] => [
  '--workload',
  'postgres',
  '--replicas',
  '3',
  '--rounds',
  '1',
  '--chaos',
  'delete',
  '--seed',
  String(seed),
  '--timeout',
  '120',
  '--dns-budget',
  '15',
];

/** Asserts the checks `ids` passed (with the run's story when one did not). */
export function expectPassed(t: { run: FaultRun }, ids: readonly string[]): void {
  for (const id of ids) {
    const c = t.run.result.checks.find((x) => x.id === id);
    expect(c?.status, `${id}: ${c?.message}\n${describeRun(t.run)}`).to.equal('passed');
  }
}
