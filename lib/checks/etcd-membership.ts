// STS-ETCD-MEMBERSHIP: an application's own view of its StatefulSet identity. A member
// that restarts on its claim rejoins under the member ID it had; one that lost its data
// directory cannot (its peers know its ID as started), and a member that came back
// under another identity or peer URL would mean the stable name or the claim did not
// hold. So after chaos etcd must list the same members, with the same IDs, at their
// stable peer URLs, every one healthy, all naming one leader.
import { podFqdn } from '../names.ts';
import type { CheckDefinition, CheckInput, CheckOutcome } from './api.ts';
import type { Evidence } from '../model.ts';
import type { MembershipSnapshot } from '../probes/records.ts';
import { errored, failed, firstOf, ordinals, passed, podName, skipped } from './support.ts';

export const PEER_PORT = 2380;

export const etcdMembership: CheckDefinition = {
  id: 'STS-ETCD-MEMBERSHIP',
  guarantee:
    'after chaos etcd lists the same members with the same member IDs at their stable peer URLs, every member healthy under one leader',
  run: judgeMembership,
};

interface Tally {
  problems: string[];
  evidence: Evidence[];
}

/** What one snapshot shows against the stable names; `ids` (the baseline's) also pins each member's ID. */
function judgeSnapshot(
  input: CheckInput,
  label: string,
  m: MembershipSnapshot,
  at: number,
  ids: Map<string, string> | undefined,
  t: Tally,
): void {
  const w = input.workload;
  const fail = (subject: string, message: string, e: Omit<Evidence, 'subject'>): void => {
    t.problems.push(`${label}: ${message}`);
    t.evidence.push({ subject, at, note: label, ...e });
  };
  const expected = ordinals(w).map((o) => podName(w, o));
  const byName = new Map(m.members.map((x) => [x.name, x]));
  for (const pod of expected) {
    const member = byName.get(pod);
    const peerUrl = `http://${podFqdn(w, pod)}:${PEER_PORT}`;
    if (!member) {
      fail(`pod ${pod}`, `pod ${pod} is not an etcd member`, {
        expected: `member ${pod}${ids?.get(pod) ? ` id ${ids.get(pod)}` : ''}`,
        observed: `members: ${m.members.map((x) => x.name || `(unstarted ${x.id})`).join(', ')}`,
      });
      continue;
    }
    const was = ids?.get(pod);
    if (was !== undefined && member.id !== was) {
      fail(`pod ${pod}`, `pod ${pod} is etcd member ${member.id}, not ${was} as before chaos`, {
        expected: `member id ${was}`,
        observed: `member id ${member.id}`,
      });
    }
    if (member.peerURLs.length !== 1 || member.peerURLs[0] !== peerUrl) {
      fail(`pod ${pod}`, `pod ${pod}'s peer URLs are not its stable name`, {
        expected: peerUrl,
        observed: member.peerURLs.join(', ') || '(none)',
      });
    }
    const own = m.endpoints.find((e) => member.clientURLs.includes(e.endpoint));
    if (!own?.healthy) {
      fail(`pod ${pod}`, `etcd member ${pod} is not healthy (${own?.error ?? 'no endpoint answered for it'})`, {
        expected: 'healthy',
        observed: own
          ? (own.error ?? 'unhealthy')
          : `no health answer for ${member.clientURLs.join(', ') || '(no client URL: never started)'}`,
      });
    }
  }
  for (const extra of m.members.filter((x) => !expected.includes(x.name))) {
    fail(`member ${extra.id}`, `etcd lists an unexpected member ${extra.name || '(unstarted)'} (${extra.id})`, {
      expected: `only ${expected.join(', ')}`,
      observed: `${extra.name || '(unstarted)'} ${extra.peerURLs.join(', ')}`,
    });
  }
  const leaders = new Set(m.endpoints.map((e) => e.leader).filter(Boolean));
  const memberIds = new Set(m.members.map((x) => x.id));
  if (leaders.size !== 1 || ![...leaders].every((l) => memberIds.has(l ?? ''))) {
    fail('etcd cluster', `the members do not agree on one leader (${[...leaders].join(', ') || 'none reported'})`, {
      expected: 'one leader, a listed member',
      observed: [...leaders].join(', ') || 'none',
    });
  }
}

function judgeMembership(input: CheckInput): CheckOutcome {
  const before = input.baseline.membership;
  const after = input.after.membership;
  if (!before && !after)
    return skipped(`the workload has no etcd members: the check applies only to the etcd sample, this is ${input.workload.kind}`);
  if (!before || !after)
    return errored('the membership was observed in only one snapshot', [
      { subject: 'etcd cluster', expected: 'baseline and after', observed: before ? 'baseline only' : 'after only' },
    ]);
  for (const [label, m, at] of [
    ['before chaos', before, input.baseline.t],
    ['after chaos', after, input.after.t],
  ] as const) {
    if (m.unobserved)
      return errored(`${label}: the membership could not be observed: ${m.error ?? ''}`, [
        { subject: 'etcd cluster', observed: m.error ?? 'not observed', at, note: label },
      ]);
  }
  const t: Tally = { problems: [], evidence: [] };
  judgeSnapshot(input, 'before chaos', before, input.baseline.t, undefined, t);
  const ids = new Map(before.members.map((x) => [x.name, x.id]));
  judgeSnapshot(input, 'after chaos', after, input.after.t, ids, t);
  if (t.problems.length > 0) return failed(firstOf(t.problems), t.evidence);
  const names = after.members.map((x) => `${x.name}=${x.id}`).join(', ');
  return passed(
    `the same ${after.members.length} members before and after chaos (${names}), all healthy, one leader (asked ${after.askedPod ?? '?'})`,
    after.members.map((x) => ({
      subject: `pod ${x.name}`,
      expected: `member id ${ids.get(x.name)}`,
      observed: `member id ${x.id}, ${x.peerURLs.join(', ')}`,
    })),
  );
}
