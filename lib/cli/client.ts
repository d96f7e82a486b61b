// `ordinal client`: the history client's entry point inside its pod (lib/traffic/history-client.ts).
// Not for people: the harness starts it with its whole configuration as JSON in
// ORDINAL_CLIENT_CONFIG, validated here so that a bad one is one clear line and exit 2.
// Its lines go to stdout unless the configuration names a historyFile (harnesses before
// the file transport name none, and read the container log).
import { UsageError } from '../errors.ts';
import { fileWriter } from '../traffic/history-file.ts';
import type { ClientConfig } from '../traffic/history-client.ts';
import type { PgClientConfig } from '../traffic/pg-client.ts';
import { CLIENT_CONFIG_ENV, TRAFFIC_WORKLOADS, type TrafficWorkload } from '../traffic/workload-ops.ts';

const positive = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;

const DNS_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function checkHistoryFile(v: unknown, bad: (why: string) => never): void {
  if (v !== undefined && (typeof v !== 'string' || !v.startsWith('/'))) bad('historyFile must be an absolute path when given');
}

/** The postgres client's configuration (`store: postgres`), checked field by field. */
function parsePgConfig(o: Record<string, unknown>, bad: (why: string) => never): PgClientConfig {
  if (o.workload !== 'bank' && o.workload !== 'set') bad('workload must be bank or set for store postgres');
  if (!Number.isSafeInteger(o.seed) || (o.seed as number) < 0) bad('seed must be a non-negative integer');
  for (const k of ['concurrency', 'accounts', 'balance', 'opTimeoutMs', 'port'] as const)
    if (!positive(o[k])) bad(`${k} must be a positive integer`);
  if ((o.accounts as number) < 2) bad('accounts must be at least 2 (a transfer moves money between two)');
  for (const k of ['user', 'database'] as const) if (typeof o[k] !== 'string' || o[k] === '') bad(`${k} must be a non-empty string`);
  if (o.password !== undefined && typeof o.password !== 'string') bad('password must be a string');
  if (typeof o.stopFile !== 'string' || !o.stopFile.startsWith('/')) bad('stopFile must be an absolute path');
  checkHistoryFile(o.historyFile, bad);
  const members = o.members;
  if (
    !Array.isArray(members) ||
    members.length === 0 ||
    !members.every((m) => typeof m?.pod === 'string' && typeof m?.host === 'string' && DNS_NAME.test(m.host))
  )
    bad('members must be a non-empty list of {pod, host: a DNS name}, the primary first');
  return {
    store: 'postgres',
    workload: o.workload as 'bank' | 'set',
    seed: o.seed as number,
    concurrency: o.concurrency as number,
    accounts: o.accounts as number,
    balance: o.balance as number,
    port: o.port as number,
    user: o.user as string,
    database: o.database as string,
    ...(typeof o.password === 'string' ? { password: o.password } : {}),
    opTimeoutMs: o.opTimeoutMs as number,
    members: (members as { pod: string; host: string }[]).map((m) => ({ pod: m.pod, host: m.host })),
    stopFile: o.stopFile as string,
    ...(typeof o.historyFile === 'string' ? { historyFile: o.historyFile } : {}),
  };
}

/** Parses and checks the client's configuration: etcd's (register, set) or postgres's (bank, set). */
export function parseClientConfig(text: string | undefined): ClientConfig | PgClientConfig {
  const bad = (why: string): never => {
    throw new UsageError(`${CLIENT_CONFIG_ENV}: ${why}`);
  };
  if (text === undefined || text === '') return bad('not set');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return bad(`not JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('not a JSON object');
  const o = raw as Record<string, unknown>;
  if (o.store === 'postgres') return parsePgConfig(o, bad);
  if (!(TRAFFIC_WORKLOADS as readonly unknown[]).includes(o.workload)) bad(`workload must be ${TRAFFIC_WORKLOADS.join(' or ')}`);
  if (!Number.isSafeInteger(o.seed) || (o.seed as number) < 0) bad('seed must be a non-negative integer');
  for (const k of ['concurrency', 'keys', 'opTimeoutMs'] as const) if (!positive(o[k])) bad(`${k} must be a positive integer`);
  if (typeof o.prefix !== 'string' || o.prefix === '') bad('prefix must be a non-empty string');
  if (typeof o.stopFile !== 'string' || !o.stopFile.startsWith('/')) bad('stopFile must be an absolute path');
  checkHistoryFile(o.historyFile, bad);
  if (o.read !== 'linearizable' && o.read !== 'serializable') bad('read must be linearizable or serializable');
  const members = o.members;
  if (
    !Array.isArray(members) ||
    members.length === 0 ||
    !members.every((m) => typeof m?.pod === 'string' && typeof m?.url === 'string' && /^http:\/\/[^/]+$/.test(m.url))
  )
    bad('members must be a non-empty list of {pod, url: http://host:port}');
  return {
    workload: o.workload as TrafficWorkload,
    seed: o.seed as number,
    concurrency: o.concurrency as number,
    keys: o.keys as number,
    prefix: o.prefix as string,
    members: (members as { pod: string; url: string }[]).map((m) => ({ pod: m.pod, url: m.url })),
    read: o.read as 'linearizable' | 'serializable',
    opTimeoutMs: o.opTimeoutMs as number,
    stopFile: o.stopFile as string,
    ...(typeof o.historyFile === 'string' ? { historyFile: o.historyFile } : {}),
  };
}

export async function clientCommand(): Promise<number> {
  const config = parseClientConfig(process.env[CLIENT_CONFIG_ENV]);
  const write = config.historyFile === undefined ? (text: string) => process.stdout.write(text) : fileWriter(config.historyFile);
  if (config.historyFile !== undefined) process.stdout.write(`# history lines in ${config.historyFile}\n`);
  if ('store' in config) {
    const { runPgClient } = await import('../traffic/pg-client.ts');
    await runPgClient(config, write);
    return 0;
  }
  const { runHistoryClient } = await import('../traffic/history-client.ts');
  await runHistoryClient(config, write);
  return 0;
}
