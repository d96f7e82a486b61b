// PostgreSQL's own view of its replication, asked with psql inside each pod (over TCP on
// localhost: the sample trusts the pod network). Each server says whether it is in
// recovery, its timeline and WAL position, its WAL receiver (standbys) and its WAL senders
// (the primary). A probe commits a marker row on the primary and observes until every
// replica has replayed past it; what it saw is judged by STS-TOPOLOGY-PRIMARY. A server
// whose state cannot be read is unobserved (the check's `error`), never a failure.
import { describeError } from '../errors.ts';
import { TIMEOUTS } from '../timeouts.ts';
import type { ExecFn } from './exec.ts';
import {
  type PgReceiver,
  type PgSender,
  type PgServerState,
  type ReplicationObservation,
  type ReplicationProbe,
  parseLsn,
  reconnects,
  replicaSettled,
} from './postgres-records.ts';

/** How long after a round converges every replica has to stream from the primary and replay its latest commit. */
export const CATCH_UP_BOUND_MS = TIMEOUTS.postgresCatchUp;
/** The table the probe's marker rows go into (database postgres, on the primary). */
export const MARKER_TABLE = 'ordinal_probe_marker';

const PSQL = ['psql', '-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-XAtq', '-F', '|', '-v', 'ON_ERROR_STOP=1'];

/** One line `S|…`: the server; then `W|…` per WAL sender (none on a standby). */
export const STATE_SQL = [
  "select 'S', pg_is_in_recovery(),",
  ' case when pg_is_in_recovery() then pg_last_wal_replay_lsn() else pg_current_wal_lsn() end,',
  ' case when pg_is_in_recovery()',
  '  then greatest((select timeline_id from pg_control_checkpoint()), (select received_tli from pg_stat_wal_receiver))',
  "  else ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int end,",
  ' (extract(epoch from pg_postmaster_start_time()) * 1000)::bigint,',
  " (select concat_ws(',', status, sender_host, sender_port, slot_name, received_tli) from pg_stat_wal_receiver)",
].join('');
export const SENDERS_SQL =
  "select 'W', application_name, state, replay_lsn, (extract(epoch from replay_lag) * 1000)::bigint, (extract(epoch from backend_start) * 1000)::bigint from pg_stat_replication";

const num = (s: string | undefined): number | undefined => (s === undefined || s === '' || !/^-?\d+$/.test(s) ? undefined : Number(s));

function parseReceiver(text: string | undefined): PgReceiver | undefined {
  if (!text) return undefined;
  const [status = '', senderHost = '', port, slot = '', tli] = text.split(',');
  const r: PgReceiver = { status, senderHost, slot };
  const p = num(port);
  if (p !== undefined) r.senderPort = p;
  const t = num(tli);
  if (t !== undefined) r.receivedTli = t;
  return r;
}

function parseSender(f: string[]): PgSender {
  const [, application = '', state = '', replayLsn, lag, start] = f;
  const s: PgSender = { application, state };
  if (replayLsn) s.replayLsn = replayLsn;
  const l = num(lag);
  if (l !== undefined) s.replayLagMs = l;
  const b = num(start);
  if (b !== undefined) s.backendStartMs = b;
  return s;
}

/** psql's output for STATE_SQL and SENDERS_SQL, as one server's state; throws when the server line is missing or malformed. */
export function parseServerState(pod: string, stdout: string): PgServerState {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  const server = lines.find((l) => l.startsWith('S|'));
  if (!server) throw new Error(`no server line in ${JSON.stringify(stdout.slice(0, 200))}`);
  const [, rec, lsn, tli, started, receiver] = server.split('|');
  if (rec !== 't' && rec !== 'f') throw new Error(`pg_is_in_recovery() gave ${JSON.stringify(rec)}`);
  const s: PgServerState = { pod, inRecovery: rec === 't' };
  if (lsn) s.lsn = lsn;
  const t = num(tli);
  if (t !== undefined) s.timeline = t;
  const st = num(started);
  if (st !== undefined) s.startedAtMs = st;
  const r = parseReceiver(receiver);
  if (r) s.receiver = r;
  const senders = lines.filter((l) => l.startsWith('W|')).map((l) => parseSender(l.split('|')));
  if (!s.inRecovery) s.senders = senders;
  return s;
}

/** One server's state; any trouble reading it (exec, connection, query) leaves it unobserved. */
export async function readServerState(exec: ExecFn, pod: string, container: string): Promise<PgServerState> {
  try {
    const r = await exec(pod, container, [...PSQL, '-c', STATE_SQL, '-c', SENDERS_SQL]);
    if (r.exitCode !== 0) return { pod, error: `psql exited ${r.exitCode}: ${r.stderr.trim().slice(0, 200)}`, unobserved: true };
    return parseServerState(pod, r.stdout);
  } catch (err) {
    return { pod, error: describeError(err), unobserved: true };
  }
}

/** Commits a marker row on the primary; its LSN right after, or why not. */
export async function writeMarker(
  exec: ExecFn,
  pod: string,
  container: string,
  label: string,
): Promise<{ lsn: string } | { error: string }> {
  const sql = [
    `create table if not exists ${MARKER_TABLE} (label text, at timestamptz default now())`,
    `insert into ${MARKER_TABLE} (label) values ('${label.replace(/'/g, "''")}')`,
    'select pg_current_wal_lsn()',
  ];
  try {
    const r = await exec(pod, container, [...PSQL, ...sql.flatMap((s) => ['-c', s])]);
    if (r.exitCode !== 0) return { error: `marker write on ${pod}: psql exited ${r.exitCode}: ${r.stderr.trim().slice(0, 200)}` };
    const lsn = r.stdout.trim().split('\n').at(-1) ?? '';
    return parseLsn(lsn) === undefined ? { error: `marker write on ${pod}: no LSN in ${JSON.stringify(r.stdout.slice(0, 120))}` } : { lsn };
  } catch (err) {
    return { error: `marker write on ${pod}: ${describeError(err)}` };
  }
}

export interface ProbeIo {
  exec: ExecFn;
  container: string;
  primary: string;
  replicas: readonly string[];
  /** The names of the primary a replica may stream from (primaryNames). */
  names: readonly string[];
  /** Run ms. */
  now: () => number;
  pause?: (ms: number) => Promise<void>;
  boundMs?: number;
}

async function observe(io: ProbeIo): Promise<ReplicationObservation> {
  const replicas: PgServerState[] = [];
  for (const pod of io.replicas) replicas.push({ ...(await readServerState(io.exec, pod, io.container)), t: io.now() });
  const primary = await readServerState(io.exec, io.primary, io.container);
  const t = io.now();
  return { t, primary: { ...primary, t }, replicas };
}

/** Writes the marker and observes until every replica has settled, one left recovery, or the bound passes. */
export async function probeReplication(io: ProbeIo, label: string, previousStart?: number): Promise<ReplicationProbe> {
  const pause = io.pause ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const boundMs = io.boundMs ?? CATCH_UP_BOUND_MS;
  const marker = await writeMarker(io.exec, io.primary, io.container, label);
  const t = io.now();
  const probe: ReplicationProbe = { label, t, boundMs, caughtUpMs: {}, replayLagMs: {}, observations: 0 };
  if ('error' in marker) probe.error = marker.error;
  else probe.targetLsn = marker.lsn;
  for (;;) {
    const o = await observe(io);
    probe.final = o;
    probe.observations++;
    const elapsed = io.now() - t;
    for (const r of o.replicas) {
      if (probe.caughtUpMs[r.pod] !== undefined || !replicaSettled(r, io.names, probe.targetLsn)) continue;
      probe.caughtUpMs[r.pod] = Math.round((r.t ?? io.now()) - t);
      const lag = o.primary.senders?.find((s) => s.application === r.pod)?.replayLagMs;
      if (lag !== undefined) probe.replayLagMs[r.pod] = lag;
    }
    // A primary whose state could not be read this time (an exec that came back empty while
    // a kubelet restarted) is read again within the bound: the judgement needs it.
    const settled = o.replicas.every((r) => replicaSettled(r, io.names, probe.targetLsn)) && !o.primary.unobserved;
    const leftRecovery = o.replicas.some((r) => r.inRecovery === false);
    if (probe.error || settled || leftRecovery || elapsed >= boundMs) break;
    await pause(TIMEOUTS.postgresObservePause);
  }
  const rc = probe.final ? reconnects(previousStart, probe.final) : undefined;
  if (rc) probe.reconnectMs = rc;
  return probe;
}
