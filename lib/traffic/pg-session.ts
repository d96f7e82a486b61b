// The postgres history client's configuration for a run of the postgres sample
// (--traffic bank | set): the primary first, then every replica, each by its stable DNS
// name, with the sample's login. lib/traffic/history-session.ts starts the pod with it.
import { ordinals, podFqdn, podName } from '../names.ts';
import { TIMEOUTS } from '../timeouts.ts';
import type { Workload } from '../workloads/common.ts';
import { POSTGRES_DB, POSTGRES_USER } from '../workloads/postgres.ts';
import type { PgClientConfig } from './pg-client.ts';

/**
 * Writers on the primary: transfers on 8 accounts conflict often (serialization failures,
 * recorded as `fail`), inserts never. The sample allows 40 connections: writers, one bank
 * reader per pod, the final reads and the harness's own probes fit.
 */
export const PG_WRITERS = 8;
export const PG_ACCOUNTS = 8;
export const PG_BALANCE = 100;

export function pgClientConfig(
  w: Workload,
  o: { readonly workload: 'bank' | 'set'; readonly seed: number },
  stopFile: string,
): PgClientConfig {
  const pg = w.postgres;
  if (!pg) throw new Error(`--traffic ${o.workload} against postgres needs the postgres sample (workload ${w.info.kind} has no primary)`);
  const members = ordinals(w.info).map((i) => {
    const pod = podName(w.info, i);
    return { pod, host: podFqdn(w.info, pod) };
  });
  // The primary first: the client's writers and the set's WAL position go there.
  members.sort((a, b) => (a.pod === pg.primaryPod ? -1 : b.pod === pg.primaryPod ? 1 : 0));
  return {
    store: 'postgres',
    workload: o.workload,
    seed: o.seed,
    concurrency: PG_WRITERS,
    accounts: PG_ACCOUNTS,
    balance: PG_BALANCE,
    port: pg.port,
    user: POSTGRES_USER,
    database: POSTGRES_DB,
    opTimeoutMs: TIMEOUTS.clientOp,
    members,
    stopFile,
  };
}
