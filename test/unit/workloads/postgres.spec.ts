// The postgres sample's manifest: db-0 is the primary, every other ordinal bootstraps from
// db-0's stable name with its own slot, readiness means accepting connections (and
// streaming, on a replica), and the run picks the sample's own image. Plus the results.json
// summary of its replication probes.
import { expect } from 'chai';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { parseRunArgs } from '../../../lib/cli/args.ts';
import type { ReplicationProbe } from '../../../lib/probes/postgres-records.ts';
import { replicationSummary } from '../../../lib/run/replication.ts';
import { POSTGRES_DURABILITY, POSTGRES_IMAGE, POSTGRES_SETTINGS, postgresWorkload } from '../../../lib/workloads/postgres.ts';
import { webWorkload } from '../../../lib/workloads/web.ts';

const opts = { namespace: 'ordinal-x', runId: 'x', replicas: 3, image: POSTGRES_IMAGE, claimSize: '1Gi' };
const stsOf = (w: ReturnType<typeof postgresWorkload>): IStatefulSet => w.objects.find((o) => o.kind === 'StatefulSet') as IStatefulSet;
const container = (w: ReturnType<typeof postgresWorkload>) => stsOf(w).spec?.template.spec?.containers[0];

describe('postgres sample workload', function () {
  it('replicas bootstrap once from the primary by its stable DNS name, each with its own slot, and stream from that name', function () {
    const w = postgresWorkload(opts);
    const script = container(w)?.command?.[2] ?? '';
    const host = 'db-0.db.ordinal-x.svc.cluster.local';
    expect(w.postgres).to.deep.equal({ port: 5432, primaryPod: 'db-0', primaryHost: host, durability: POSTGRES_DURABILITY });
    expect(script).to.include(
      `pg_basebackup -h ${host} -p 5432 -U postgres -D /var/lib/postgresql/data/base.tmp -X stream -c fast -S $slot`,
    );
    expect(script).to.include('slot=replica_$ord;');
    expect(script).to.include(`primary_conninfo = 'host=${host} port=5432 user=postgres application_name=$HOSTNAME`);
    expect(script).to.include("primary_slot_name = '$slot'");
    // The WAL receiver ignores connect_timeout: only the kernel's TCP_USER_TIMEOUT ends a SYN to a recreated primary's old address.
    expect(script).to.match(/primary_conninfo = '[^']* tcp_user_timeout=5000 keepalives=1 [^']*'/);
    // Only an empty claim bootstraps: a replica recreated on its data resumes without a new base backup.
    expect(script).to.match(/elif \[ ! -s \/var\/lib\/postgresql\/data\/pgdata\/PG_VERSION \]; then\s+slot=/);
    // Made aside, moved into place when complete.
    expect(script).to.include('mv /var/lib/postgresql/data/base.tmp /var/lib/postgresql/data/pgdata');
    expect(script).to.include('mv /var/lib/postgresql/data/init.tmp /var/lib/postgresql/data/pgdata');
    // Who made it, recorded once beside it (a later generation that only starts leaves it alone).
    expect(script.match(/echo "\$POD_UID" > \/var\/lib\/postgresql\/data\/bootstrapped-by;/g)).to.have.length(2);
  });

  it('the primary is the first ordinal, also with --start-ordinal', function () {
    const w = postgresWorkload({
      ...opts,
      sts: {
        podManagementPolicy: 'OrderedReady',
        updateStrategy: 'RollingUpdate',
        partition: 0,
        minReadySeconds: 0,
        startOrdinal: 3,
        pvcRetention: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      },
    });
    expect(w.postgres?.primaryPod).to.equal('db-3');
    expect(container(w)?.command?.[2]).to.include('[ "$ord" = 3 ]');
  });

  it('durability: synchronous_commit and fsync on, no synchronous standbys, all in the config every server gets', function () {
    expect(POSTGRES_SETTINGS).to.include({ synchronous_commit: 'on', fsync: 'on', synchronous_standby_names: "''", wal_level: 'replica' });
    const script = container(postgresWorkload(opts))?.command?.[2] ?? '';
    for (const [k, v] of Object.entries(POSTGRES_SETTINGS)) expect(script).to.include(`"${k} = ${v}"`);
    expect(POSTGRES_DURABILITY).to.include('synchronous_commit=on');
  });

  it('readiness: psql answers, and a standby has a streaming WAL receiver', function () {
    const probe = container(postgresWorkload(opts))?.readinessProbe;
    const cmd = probe?.exec?.command?.join(' ') ?? '';
    expect(cmd).to.include(
      "select case when not pg_is_in_recovery() then 'primary' else coalesce((select status from pg_stat_wal_receiver), 'none') end",
    );
    expect(cmd).to.include('case $s in primary|streaming) exit 0;; esac; echo "standby not streaming: WAL receiver $s"; exit 1');
  });

  it('the sentinel and heartbeat sit on the claim beside the data directory, not in it', function () {
    const w = postgresWorkload(opts);
    expect(w.dataPath).to.equal('/var/lib/postgresql/data');
    expect(w.heartbeatPath).to.equal('/var/lib/postgresql/data/.ordinal-heartbeat');
    expect(container(w)?.volumeMounts).to.deep.equal([{ name: 'data', mountPath: '/var/lib/postgresql/data' }]);
  });

  it('--workload postgres runs the sample image unless --image names another', function () {
    expect(parseRunArgs(['--workload', 'postgres']).image).to.equal(POSTGRES_IMAGE);
    expect(parseRunArgs(['--workload', 'postgres', '--image', 'example.com/pg:16']).image).to.equal('example.com/pg:16');
  });
});

describe('results.json replication summary', function () {
  const probe = (label: string, caughtUpMs: Record<string, number>, reconnectMs?: Record<string, number>): ReplicationProbe => ({
    label,
    t: 0,
    boundMs: 30_000,
    caughtUpMs,
    replayLagMs: { 'db-1': 1 },
    observations: 1,
    ...(reconnectMs ? { reconnectMs } : {}),
  });

  it('gathers catch-up, replay lag and reconnect over every probe, with the durability setting', function () {
    const s = replicationSummary(postgresWorkload(opts), [
      probe('baseline', { 'db-1': 10, 'db-2': 20 }),
      undefined,
      probe('round 1', { 'db-1': 30, 'db-2': 400 }, { 'db-1': 2800, 'db-2': 3100 }),
    ]);
    expect(s?.durability).to.equal(POSTGRES_DURABILITY);
    expect(s?.primary).to.equal('db-0');
    expect(s?.catchUp).to.deep.equal({ samples: 4, p50Ms: 20, p95Ms: 400, maxMs: 400 });
    expect(s?.replayLag).to.deep.equal({ samples: 2, p50Ms: 1, p95Ms: 1, maxMs: 1 });
    expect(s?.reconnect).to.deep.equal({ samples: 2, p50Ms: 2800, p95Ms: 3100, maxMs: 3100 });
    expect(s?.probes.map((p) => p.label)).to.deep.equal(['baseline', 'round 1']);
  });

  it('is absent for any other workload', function () {
    expect(replicationSummary(webWorkload(opts), [probe('baseline', {})])).to.equal(undefined);
  });
});
