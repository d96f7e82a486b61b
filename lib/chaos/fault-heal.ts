// `ordinal cleanup` heals a run's fault before it deletes the run's namespace: a harness
// that died (SIGKILL, a lost CI runner) leaves its fault request behind, applied until
// its expiry. Deleting the namespace would take the request away too (the agent heals on
// that), but nobody would see the heal; asking for it and waiting for the agent's word
// makes cleanup say what it healed, or what it saw when the agent did not answer.
import type { Cluster } from '../cluster/cluster.ts';
import { describeError, httpStatus } from '../errors.ts';
import { FAULT_REQUEST_NAME, type FaultStatus } from '../agent/request.ts';
import { TIMEOUTS } from '../timeouts.ts';
import { FaultRequest } from './fault-request.ts';

export interface HealOutcome {
  /** One line for the user: what was healed (or that nothing was held). Absent when there was no such request. */
  said?: string;
  /** Set when the heal could not be confirmed: what was asked and what was seen. */
  problem?: string;
}

const isNotFound = (err: unknown): boolean => httpStatus(err) === 404;

/**
 * Every name a run's fault requests may have: one per pod that takes rules, the first
 * plain, then -1, -2, -3 (examples/rbac.yaml grants get and patch on these names alone).
 */
export const FAULT_REQUEST_NAMES = [FAULT_REQUEST_NAME, ...[1, 2, 3].map((i) => `${FAULT_REQUEST_NAME}-${i}`)];

/** Heals every fault request a run left in `namespace`, each confirmed by the agent; one outcome per request found. */
export async function healLeftoverFaults(cluster: Cluster, namespace: string, log: (line: string) => void): Promise<HealOutcome[]> {
  const all = await Promise.all(FAULT_REQUEST_NAMES.map((name) => healLeftoverFault(cluster, namespace, name, log)));
  return all.filter((o) => o.said !== undefined || o.problem !== undefined);
}

/** Heals the fault request `name` in `namespace`, if there is one, and waits for the agent to confirm it. */
async function healLeftoverFault(cluster: Cluster, namespace: string, name: string, log: (line: string) => void): Promise<HealOutcome> {
  const request = new FaultRequest(cluster, namespace, name, log);
  const where = `fault request ${namespace}/${name}`;
  let before: FaultStatus | undefined;
  try {
    before = await request.status();
  } catch (err) {
    if (isNotFound(err)) return {};
    return { problem: `${where}: cannot read it, so its heal cannot be confirmed: ${describeError(err)}` };
  }
  if (before?.phase === 'refused' || (before?.phase === 'healed' && !before.unfreed))
    return { said: `${where}: nothing held (${before.phase} on node ${before.node}: ${before.healedBecause ?? before.seen})` };
  if (before?.phase !== 'healed') {
    try {
      await request.heal();
    } catch (err) {
      return { problem: `${where}: asking the agent to heal failed: ${describeError(err)}` };
    }
  }
  return awaitHeal(request, where, log);
}

/**
 * A disk-full heal that could not reach its fill file yet: the agent tries again every
 * tick for up to TIMEOUTS.agentFreeRetry, and the namespace (with the claim) must not go
 * before it frees it. Deleting it now would leave a retained volume full.
 */
const freeWait = TIMEOUTS.agentFreeRetry + TIMEOUTS.faultAgentActs;

/**
 * Until the agent says `healed` (or `refused`: nothing was applied). A request that has no
 * status TIMEOUTS.faultUnseen after the heal was asked was never applied: an agent that
 * applied it would have said so, and it applies nothing once a heal is asked.
 */
async function awaitHeal(request: FaultRequest, where: string, log: (line: string) => void): Promise<HealOutcome> {
  const asked = Date.now();
  let last: FaultStatus | undefined;
  let lastError = '';
  let budget: number = TIMEOUTS.faultAgentActs;
  while (Date.now() - asked < budget) {
    try {
      last = await request.status();
      lastError = '';
    } catch (err) {
      if (isNotFound(err)) return { said: `${where}: removed while its heal was awaited (an agent heals on that)` };
      lastError = describeError(err);
    }
    if (last?.phase === 'healed' && last.unfreed === 'left')
      return { problem: `${where}: healed by the agent on node ${last.node}, but its volume may still be full: ${last.seen}` };
    if (last?.phase === 'healed' && last.unfreed === 'retrying') {
      if (budget !== freeWait)
        log(
          `${where}: the agent on node ${last.node} could not free the volume yet and tries again every tick; waiting up to ${freeWait / 60_000} min before the namespace goes (${last.seen})`,
        );
      budget = freeWait;
    } else if (last?.phase === 'healed')
      return { said: `${where}: healed by the agent on node ${last.node} (${last.healedBecause ?? 'asked'}): ${last.seen}` };
    if (last?.phase === 'refused') return { said: `${where}: nothing held (refused on node ${last.node}: ${last.seen})` };
    if (!last && !lastError && Date.now() - asked >= TIMEOUTS.faultUnseen)
      return { said: `${where}: no agent had applied it (no status ${TIMEOUTS.faultUnseen / 1000}s after the heal was asked)` };
    await new Promise((r) => setTimeout(r, TIMEOUTS.faultPoll));
  }
  const seen = last ? `${last.phase}${last.unfreed ? ` (volume ${last.unfreed})` : ''} on node ${last.node}: ${last.seen}` : 'no status';
  return {
    problem: `${where}: heal asked, not confirmed by the agent within ${budget / 1000}s; saw ${seen}${lastError ? ` (last read failed: ${lastError})` : ''}`,
  };
}
