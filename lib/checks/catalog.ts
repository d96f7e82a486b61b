// The check catalog, in report order. IDs are stable keys for reports and CI history:
// add new checks, never rename or reuse an ID (docs/checks.md documents each one).
import type { CheckDefinition, CheckInput, CheckOutcome, CheckResult } from './api.ts';
import { momentContext, type MomentContext } from '../timeline/moment-context.ts';
import { atMostOne } from './at-most-one.ts';
import { bankInvariant } from './bank-invariant.ts';
import { dataSentinel } from './data-sentinel.ts';
import { dnsA, dnsSrv } from './dns.ts';
import { etcdMembership } from './etcd-membership.ts';
import { identity } from './identity.ts';
import { linearizable } from './linearizable.ts';
import { orderCreate } from './order-create.ts';
import { orderRecreate } from './order-recreate.ts';
import { orderScaleDown } from './order-scaledown.ts';
import { pdb } from './pdb.ts';
import { pvcBinding } from './pvc-binding.ts';
import { pvcRetention } from './pvc-retention.ts';
import { recovery } from './recovery.ts';
import { topologyPrimary } from './topology.ts';
import { updateOnDelete } from './update-ondelete.ts';
import { updateOrder } from './update-order.ts';
import { updatePartition } from './update-partition.ts';
import { updateRollback } from './update-rollback.ts';
import { writesDurable } from './writes-durable.ts';

export const CHECKS: readonly CheckDefinition[] = Object.freeze([
  orderCreate,
  orderRecreate,
  recovery,
  identity,
  dnsA,
  dnsSrv,
  pvcBinding,
  dataSentinel,
  topologyPrimary,
  atMostOne,
  etcdMembership,
  orderScaleDown,
  pvcRetention,
  pdb,
  writesDurable,
  linearizable,
  bankInvariant,
  updateOrder,
  updatePartition,
  updateOnDelete,
  updateRollback,
]);

/**
 * Runs every check over one run's data. A check that throws is reported as `error`
 * (the data could not be judged) rather than failing the whole report.
 */
const CONTEXT_WORDS: Record<MomentContext['kinds'][number], string> = {
  'watch-gap': 'a watch gap',
  'node-not-ready': 'nodes marked NotReady',
  'all-nodes-not-ready': 'every node NotReady at once',
};

/**
 * A failure whose moment falls in or shortly after a control-plane outage says so in its
 * evidence and message: the guarantee was broken in the API's history all the same.
 */
function withContext(input: CheckInput, outcome: CheckOutcome): CheckOutcome {
  if (outcome.status !== 'failed') return outcome;
  const kinds = new Set<string>();
  const evidence = outcome.evidence.map((e) => {
    if (e.at === undefined) return e;
    const c = momentContext(input.timeline, input.workload, e.at);
    for (const k of c.kinds) kinds.add(CONTEXT_WORDS[k]);
    return c.lines.length === 0 ? e : { ...e, context: c.lines };
  });
  if (kinds.size === 0) return outcome;
  return {
    ...outcome,
    evidence,
    message: `${outcome.message} (in the aftermath of ${[...kinds].join(' and ')}: see the evidence's context)`,
  };
}

export function runChecks(input: CheckInput, checks: readonly CheckDefinition[] = CHECKS): CheckResult[] {
  return checks.map((check) => {
    const started = performance.now();
    const base = { id: check.id, guarantee: check.guarantee };
    try {
      const outcome = withContext(input, check.run(input));
      return { ...base, ...outcome, durationMs: performance.now() - started };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { ...base, status: 'error', message, evidence: [], durationMs: performance.now() - started };
    }
  });
}
