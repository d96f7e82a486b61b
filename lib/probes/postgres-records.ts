// What the PostgreSQL replication probe records (lib/probes/postgres.ts): each server's
// own report of its role, timeline and WAL position, asked through psql inside its pod,
// and what the primary says of its WAL senders. STS-TOPOLOGY-PRIMARY judges these
// (lib/checks/topology-postgres.ts); results.json summarises their timings. The pure
// helpers at the end read these records for the probe and the check alike.

/** A standby's WAL receiver as pg_stat_wal_receiver shows it. */
export interface PgReceiver {
  /** `streaming`, `starting`, `waiting`, `catchup`, `stopping`… */
  status: string;
  /** The host name in its primary_conninfo, as it connected (a DNS name here, never resolved by the probe). */
  senderHost: string;
  senderPort?: number;
  slot: string;
  receivedTli?: number;
}

/** One WAL sender on the primary (pg_stat_replication), by the standby's application_name (its pod name). */
export interface PgSender {
  application: string;
  state: string;
  replayLsn?: string;
  /** replay_lag: the primary's own measure of flush-to-replay for the latest WAL it sent (absent once idle). */
  replayLagMs?: number;
  /** When the sender's backend started (epoch ms, the primary's clock): the standby's connection. */
  backendStartMs?: number;
}

/** One server's replication state, as psql inside its pod reported it. */
export interface PgServerState {
  pod: string;
  /** Run ms when its state was read. */
  t?: number;
  /** pg_is_in_recovery(): true on a standby. */
  inRecovery?: boolean;
  /** Its WAL timeline: a primary's from its current WAL file; a standby's the highest of its received and checkpoint timelines. */
  timeline?: number;
  /** A primary's pg_current_wal_lsn(), a standby's pg_last_wal_replay_lsn() ("X/Y" hex). */
  lsn?: string;
  /** pg_postmaster_start_time(), epoch ms (the server's clock). */
  startedAtMs?: number;
  /** A standby's WAL receiver; absent when none runs. */
  receiver?: PgReceiver;
  /** On the primary: its WAL senders. */
  senders?: PgSender[];
  error?: string;
  /** The state could not be read (exec failure, psql could not connect or query): nothing is known. */
  unobserved?: true;
}

/** Every server at one moment: the replicas read first, the primary last (so no replica can be ahead of it but by diverging). */
export interface ReplicationObservation {
  /** Run ms when the primary was read. */
  t: number;
  primary: PgServerState;
  replicas: PgServerState[];
}

/**
 * One probe: a marker row committed on the primary, then observations until every replica
 * streams from the primary's stable name and has replayed up to the marker's LSN, or the
 * bound passes (or a replica shows it left recovery, which it never undoes).
 */
export interface ReplicationProbe {
  /** `baseline`, `round N`, `after`. */
  label: string;
  /** Run ms when the marker's commit returned. */
  t: number;
  boundMs: number;
  /** The primary's LSN just after the marker's commit. */
  targetLsn?: string;
  /** The last observation: the settled one, or the one at the bound. */
  final?: ReplicationObservation;
  /**
   * Per replica pod: ms from the marker's commit until a read showed its replay past targetLsn
   * (absent: not within the bound). An upper bound: the reads are ~0.5 s apart and each is an exec.
   */
  caughtUpMs: Record<string, number>;
  /** Per replica pod: the primary's replay_lag for it when it caught up. */
  replayLagMs: Record<string, number>;
  /**
   * Per replica pod, when the primary restarted since the previous probe (its postmaster
   * start changed): ms from the primary's start to that replica's WAL sender's start, both
   * on the primary's clock.
   */
  reconnectMs?: Record<string, number>;
  observations: number;
  /** The marker could not be written or no observation was made: the probe saw nothing to judge. */
  error?: string;
}

/** "X/Y" (hex halves) as one number; undefined for anything else. */
export function parseLsn(text: string | undefined): bigint | undefined {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text ?? '');
  return m ? (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`) : undefined;
}

/** a − b in bytes, when both parse. */
export function lsnDiff(a: string | undefined, b: string | undefined): bigint | undefined {
  const x = parseLsn(a);
  const y = parseLsn(b);
  return x === undefined || y === undefined ? undefined : x - y;
}

/** The names a replica may stream from: the primary pod's stable DNS name, short or fully qualified. */
export function primaryNames(pod: string, service: string, namespace: string, domain: string): string[] {
  const base = `${pod}.${service}`;
  return [base, `${base}.${namespace}`, `${base}.${namespace}.svc`, `${base}.${namespace}.svc.${domain}`];
}

export const streamsFrom = (r: PgServerState, names: readonly string[]): boolean =>
  r.receiver?.status === 'streaming' && names.includes(r.receiver.senderHost.replace(/\.$/, '').toLowerCase());

/** Whether a replica is where it should be: in recovery, streaming from the primary's name, replayed up to `target`. */
export function replicaSettled(r: PgServerState, names: readonly string[], target: string | undefined): boolean {
  const behind = lsnDiff(target, r.lsn);
  return r.inRecovery === true && streamsFrom(r, names) && behind !== undefined && behind <= 0n;
}

/** Per replica, the primary's start to its sender's start, when the primary restarted since `previousStart`. */
export function reconnects(previousStart: number | undefined, o: ReplicationObservation): Record<string, number> | undefined {
  const start = o.primary.startedAtMs;
  if (previousStart === undefined || start === undefined || start === previousStart) return undefined;
  const out: Record<string, number> = {};
  for (const r of o.replicas) {
    const s = o.primary.senders?.find((x) => x.application === r.pod);
    if (s?.backendStartMs !== undefined) out[r.pod] = s.backendStartMs - start;
  }
  return out;
}
