// `ordinal client`: the history client's entry point inside its pod (lib/traffic/history-client.ts).
// Not for people: the harness starts it with its whole configuration as JSON in
// ORDINAL_CLIENT_CONFIG, validated here so that a bad one is one clear line and exit 2.
import { UsageError } from '../errors.ts';
import type { ClientConfig } from '../traffic/history-client.ts';
import { CLIENT_CONFIG_ENV, TRAFFIC_WORKLOADS, type TrafficWorkload } from '../traffic/workload-ops.ts';

const positive = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;

/** Parses and checks the client's configuration. */
export function parseClientConfig(text: string | undefined): ClientConfig {
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
  if (!(TRAFFIC_WORKLOADS as readonly unknown[]).includes(o.workload)) bad(`workload must be ${TRAFFIC_WORKLOADS.join(' or ')}`);
  if (!Number.isSafeInteger(o.seed) || (o.seed as number) < 0) bad('seed must be a non-negative integer');
  for (const k of ['concurrency', 'keys', 'opTimeoutMs'] as const) if (!positive(o[k])) bad(`${k} must be a positive integer`);
  if (typeof o.prefix !== 'string' || o.prefix === '') bad('prefix must be a non-empty string');
  if (typeof o.stopFile !== 'string' || !o.stopFile.startsWith('/')) bad('stopFile must be an absolute path');
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
  };
}

export async function clientCommand(): Promise<number> {
  const config = parseClientConfig(process.env[CLIENT_CONFIG_ENV]);
  const { runHistoryClient } = await import('../traffic/history-client.ts');
  await runHistoryClient(config, (text) => process.stdout.write(text));
  return 0;
}
