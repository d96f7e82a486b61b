// Topology state and storage state in a real database: PostgreSQL with streaming replicas
// (docs/postgres-sample.md). The lowest ordinal is the primary; every other ordinal makes
// its data directory once with pg_basebackup from the primary, found by its stable DNS
// name, then streams from it (primary_conninfo names that DNS name, one replication slot
// per replica). A pod recreated on its claim finds its data directory and starts as it
// was: the primary as the primary, a replica resuming from its slot without a new base
// backup. No operator and no failover: nothing but the StatefulSet's promises (order,
// names, volumes) keeps the topology.
//
// Each data directory is made aside (init.tmp, base.tmp) and moved into place only when
// complete, so a pod killed mid-bootstrap starts over instead of running half a copy.
// The container starts as root only to hand the claim to the postgres user; the server
// runs as postgres and stops with a fast shutdown on TERM (PID 1 is the shell).
import type { IContainer } from 'kubernetes-models/v1/Container';
import { TIMEOUTS } from '../timeouts.ts';
import { statefulWorkload, type Workload, type WorkloadOptions } from './common.ts';
import { fenceScript } from './heartbeat.ts';

/** Built from Debian's postgresql-15 by cluster/scripts/postgres-image.sh (lib.sh POSTGRES_IMAGE); the local cluster preloads it. */
export const POSTGRES_IMAGE = 'docker.io/library/postgres:15-ordinal';
export const POSTGRES_PORT = { name: 'postgres', number: 5432 } as const;
/** The claim's mount; the data directory is a subdirectory, so the sentinel and heartbeat sit beside it. */
export const POSTGRES_MOUNT = '/var/lib/postgresql/data';
export const POSTGRES_DATA_DIR = `${POSTGRES_MOUNT}/pgdata`;
/** Beside the data directory: the UID of the pod that made it (initdb or pg_basebackup), so a later generation shows it did not. */
export const BOOTSTRAP_RECORD = 'bootstrapped-by';
/** The database the probes write their round markers into. */
export const POSTGRES_DB = 'postgres';
export const POSTGRES_USER = 'postgres';
/** Each replica's slot on the primary: `replica_<ordinal>` (slot names take [a-z0-9_]). */
export const slotName = (ordinal: number | string): string => `replica_${ordinal}`;

/**
 * What a commit acknowledges: flushed to the primary's own volume (synchronous_commit on,
 * fsync on); the replicas are asynchronous (no synchronous_standby_names), so a commit
 * does not wait for them. Shown in the report.
 */
export const POSTGRES_DURABILITY =
  "synchronous_commit=on, fsync=on, synchronous_standby_names='' (a commit is acknowledged once flushed on the primary's volume; replicas are asynchronous)";

/** postgresql.conf lines every server gets (replicas inherit them with the base backup). */
export const POSTGRES_SETTINGS: Record<string, string> = {
  listen_addresses: "'*'",
  unix_socket_directories: "'/tmp'",
  wal_level: 'replica',
  max_wal_senders: '10',
  max_replication_slots: '10',
  hot_standby: 'on',
  synchronous_commit: 'on',
  fsync: 'on',
  full_page_writes: 'on',
  synchronous_standby_names: "''",
  // A replica whose primary went away tries again every second, and reports its position as often.
  wal_retrieve_retry_interval: "'1s'",
  wal_receiver_status_interval: "'1s'",
  // A primary that stops answering on a live connection (its process stopped, its node gone
  // quiet) ends the stream after 15 s instead of 60 s, and the replica reconnects by name.
  wal_receiver_timeout: "'15s'",
  // The primary's side of the same streams. A replica whose stream ended on its side
  // (TCP_USER_TIMEOUT under heavy loss, or its pod replaced) leaves the primary a
  // half-open connection; its WAL sender keeps the replica's slot until it notices, and
  // the replica cannot stream again before (soak seed 5009: a `streaming` sender for
  // db-1 held its slot over 200 s after a 47 % loss on db-0). The kernel gives up on
  // data unacknowledged for 10 s, keepalives find an idle dead peer, and a sender with no
  // reply for 15 s ends.
  wal_sender_timeout: "'15s'",
  tcp_user_timeout: '10000',
  tcp_keepalives_idle: '5',
  tcp_keepalives_interval: '1',
  tcp_keepalives_count: '3',
  shared_buffers: "'16MB'",
  max_connections: '40',
  jit: 'off',
};

/**
 * How a replica's WAL receiver connects to the primary, beside host, port, user and
 * application_name. The receiver drives libpq's non-blocking connect itself and never
 * applies connect_timeout, so a SYN to the address a recreated primary had (the name still
 * resolved to it for a moment) waited out the kernel's SYN retries, 71–134 s, before the
 * receiver resolved the name again (docs/postgres-sample.md, "Reconnecting"). The kernel's
 * TCP_USER_TIMEOUT bounds that SYN and any unacknowledged send on a stream to a vanished
 * peer; keepalives find an idle dead stream.
 */
export const PRIMARY_CONNINFO_TCP =
  'connect_timeout=3 tcp_user_timeout=5000 keepalives=1 keepalives_idle=5 keepalives_interval=1 keepalives_count=3';

/** Trust on the pod network: a test sample with no secrets (docs/postgres-sample.md says so). */
const HBA = ['local all all trust', 'host all all all trust', 'host replication all all trust'];

export function postgresWorkload(o: WorkloadOptions): Workload {
  const name = 'db';
  const service = 'db';
  const first = o.sts?.startOrdinal ?? 0;
  const primaryPod = `${name}-${first}`;
  const primaryHost = `${primaryPod}.${service}.${o.namespace}.svc.cluster.local`;
  const m = POSTGRES_MOUNT;
  const p = POSTGRES_DATA_DIR;
  // Lines as double-quoted printf arguments: the values hold single quotes, never `"`, `$` or backquotes.
  const lines = (ls: string[]): string => ls.map((l) => `"${l}"`).join(' ');
  const conf = lines(Object.entries(POSTGRES_SETTINGS).map(([k, v]) => `${k} = ${v}`));
  const client = `-h ${primaryHost} -p ${POSTGRES_PORT.number} -U ${POSTGRES_USER}`;
  const script = [
    // The claim's root may be root's alone (0700): the postgres user must reach its data directory inside.
    `ord=\${HOSTNAME##*-}; chmod a+x ${m};`,
    // Never two postmasters on one data directory: wait out a predecessor that still runs.
    fenceScript(m),
    `if [ ! -s ${p}/PG_VERSION ] && [ "$ord" = ${first} ]; then`,
    `  rm -rf ${m}/init.tmp; mkdir -p ${m}/init.tmp; chown postgres:postgres ${m}/init.tmp;`,
    `  su postgres -s /bin/sh -c "initdb -D ${m}/init.tmp --no-locale -E UTF8 -U ${POSTGRES_USER} -A trust" || exit 1;`,
    `  printf '%s\\n' ${conf} >> ${m}/init.tmp/postgresql.conf; printf '%s\\n' ${lines(HBA)} > ${m}/init.tmp/pg_hba.conf;`,
    `  sync; mv ${m}/init.tmp ${p}; echo "$POD_UID" > ${m}/${BOOTSTRAP_RECORD};`,
    `elif [ ! -s ${p}/PG_VERSION ]; then`,
    `  slot=replica_$ord;`,
    // The slot first, so the primary keeps every WAL segment from the backup's start on.
    `  until rm -rf ${m}/base.tmp && psql ${client} -XAtq -c "select pg_create_physical_replication_slot('$slot', true) where not exists (select from pg_replication_slots where slot_name = '$slot')" >/dev/null &&`,
    `    pg_basebackup ${client} -D ${m}/base.tmp -X stream -c fast -S $slot; do echo "waiting for the primary ${primaryHost}"; sleep 1; done;`,
    `  touch ${m}/base.tmp/standby.signal;`,
    `  printf "primary_conninfo = 'host=${primaryHost} port=${POSTGRES_PORT.number} user=${POSTGRES_USER} application_name=$HOSTNAME ${PRIMARY_CONNINFO_TCP}'\\nprimary_slot_name = '$slot'\\n" >> ${m}/base.tmp/postgresql.auto.conf;`,
    `  chown -R postgres:postgres ${m}/base.tmp; chmod 700 ${m}/base.tmp; sync; mv ${m}/base.tmp ${p}; echo "$POD_UID" > ${m}/${BOOTSTRAP_RECORD};`,
    'fi;',
    `su postgres -s /bin/sh -c "exec postgres -D ${p}" & pg=$!;`,
    `trap 'kill -INT $pg; wait $pg; exit 0' TERM; wait $pg`,
  ].join(' ');
  const w = statefulWorkload(o, 'postgres', {
    name,
    service,
    claim: 'data',
    port: POSTGRES_PORT,
    dataPath: m,
    script,
    // Accepting connections; a replica also streaming (a standby without a WAL receiver serves
    // stale reads forever). A failure says what the standby's receiver is doing, in the pod's events.
    readinessProbe: {
      exec: {
        command: [
          'sh',
          '-c',
          `s=$(psql -h 127.0.0.1 -U ${POSTGRES_USER} -XAtq -c "select case when not pg_is_in_recovery() then 'primary' else coalesce((select status from pg_stat_wal_receiver), 'none') end") || exit 1; case $s in primary|streaming) exit 0;; esac; echo "standby not streaming: WAL receiver $s"; exit 1`,
        ],
      },
      periodSeconds: 1,
      timeoutSeconds: TIMEOUTS.postgresReadinessSeconds,
      failureThreshold: 1,
    },
  });
  for (const obj of w.objects) {
    if (obj.kind !== 'StatefulSet') continue;
    const c: IContainer | undefined = obj.spec?.template.spec?.containers[0];
    if (c) c.env = [...(c.env ?? []), { name: 'PGCONNECT_TIMEOUT', value: '3' }];
  }
  return {
    ...w,
    postgres: { port: POSTGRES_PORT.number, primaryPod, primaryHost, durability: POSTGRES_DURABILITY },
  };
}
