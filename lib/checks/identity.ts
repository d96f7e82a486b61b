// STS-IDENTITY: compares the baseline and after snapshots. A pod whose disruption
// replaces it must come back as a new object (new UID) wearing the old identity (name,
// hostname, subdomain); a pod restarted in place or spared by a refusal keeps its
// identity too, and STS-RECOVERY judges its UID.
import type { CheckDefinition, CheckInput, CheckOutcome } from './api.ts';
import type { Evidence } from '../model.ts';
import type { PodSnapshot } from '../probes/records.ts';
import { endsThePod, killsIn } from '../timeline/kills.ts';
import { errored, failed, firstOf, inOrder, passed } from './support.ts';

export const identity: CheckDefinition = {
  id: 'STS-IDENTITY',
  guarantee: 'a recreated pod has the same name, hostname and subdomain, and a new UID',
  run: judgeIdentity,
};

function judgeIdentity(input: CheckInput): CheckOutcome {
  const { workload, baseline, after } = input;
  const { killed, targeted } = disrupted(input);
  const before = new Map(baseline.pods.map((p) => [p.name, p]));
  const now = new Map(after.pods.map((p) => [p.name, p]));
  const problems: string[] = [];
  const evidence: Evidence[] = [];
  const ok: Evidence[] = [];
  const unseen = unreadHostnames(input);
  const fail = (pod: string, message: string, e: Omit<Evidence, 'subject'>): void => {
    problems.push(message);
    evidence.push({ subject: `pod ${pod}`, ...e });
  };

  const names = [...new Set([...before.keys(), ...killed, ...targeted])].sort();
  for (const name of names) {
    const old = before.get(name);
    const cur = now.get(name);
    const wasKilled = killed.has(name);
    if (!old) {
      fail(name, `${name} was killed but has no baseline snapshot`, { expected: 'a baseline record', observed: 'none' });
      continue;
    }
    if (!cur) {
      fail(name, `${name} is missing after chaos (baseline uid ${old.uid})`, {
        expected: `pod ${name} exists`,
        observed: 'absent from the after snapshot',
        at: after.t,
      });
      continue;
    }
    const before0 = problems.length;
    checkNames(cur, workload.service, fail, after.t);
    if (wasKilled && cur.uid === old.uid) {
      fail(name, `${name} still has uid ${cur.uid} after being killed`, {
        expected: `a uid other than ${old.uid}`,
        observed: cur.uid,
        at: after.t,
      });
    }
    if (problems.length === before0) {
      const uid = wasKilled
        ? `uid ${old.uid} -> ${cur.uid}`
        : `uid ${cur.uid} (${targeted.has(name) ? 'not replaced by its disruptions' : 'not killed'})`;
      ok.push({ subject: `pod ${name}`, observed: `hostname ${cur.hostname}, subdomain ${cur.subdomain}, ${uid}` });
    }
  }
  if (problems.length > 0) return failed(firstOf(problems), [...evidence, ...unseen]);
  if (names.length === 0) return failed('the baseline snapshot has no pods; nothing to compare', []);
  if (unseen.length > 0) {
    const pods = [...new Set(unseen.map((e) => e.subject.replace(/^pod /, '')))].join(', ');
    return errored(`could not read the hostname inside ${pods}: ${unseen[0]?.observed ?? ''}`, [...unseen, ...ok]);
  }
  const recreated = names.filter((n) => killed.has(n));
  const inPod = baseline.skippedProbes?.inPod;
  return passed(
    `identity kept by ${names.length} pods; new UIDs for recreated ${recreated.join(', ') || 'none'}${inPod ? `; hostname inside the pods not read: ${inPod}` : ''}`,
    ok,
  );
}

/** Pods whose disruption replaces them (`killed`), and those disrupted only in ways that keep them (`targeted`: restarted in place, refused). */
function disrupted(input: CheckInput): { killed: Set<string>; targeted: Set<string> } {
  const kills = killsIn(inOrder(input.timeline));
  // Recordings without kill markers fall back to the plan: every kill then was a deletion.
  const killed = new Set(
    kills.length > 0
      ? kills.filter((k) => endsThePod(k.expect)).map((k) => k.marker.pod)
      : input.rounds.flatMap((r) => r.plan.kills.map((k) => k.pod)),
  );
  const targeted = new Set(kills.map((k) => k.marker.pod).filter((pod) => !killed.has(pod)));
  return { killed, targeted };
}

/** Pods whose in-container hostname could not be read: unobserved, never a wrong hostname. */
function unreadHostnames({ baseline, after }: CheckInput): Evidence[] {
  const unseen: Evidence[] = [];
  for (const [phase, snap] of [
    ['baseline', baseline],
    ['after chaos', after],
  ] as const) {
    for (const p of snap.pods) {
      if (p.hostnameError !== undefined) {
        unseen.push({
          subject: `pod ${p.name}`,
          expected: `hostname ${p.name} inside the pod`,
          observed: `not observed: ${p.hostnameError}`,
          at: snap.t,
          note: phase,
        });
      }
    }
  }
  return unseen;
}

function checkNames(
  pod: PodSnapshot,
  service: string,
  fail: (pod: string, message: string, e: Omit<Evidence, 'subject'>) => void,
  at: number,
): void {
  const { name } = pod;
  if (pod.hostname !== name) {
    fail(name, `${name} has hostname "${pod.hostname}", expected "${name}"`, { expected: `hostname ${name}`, observed: pod.hostname, at });
  }
  if (pod.subdomain !== service) {
    fail(name, `${name} has subdomain "${pod.subdomain}", expected "${service}"`, {
      expected: `subdomain ${service}`,
      observed: pod.subdomain,
      at,
    });
  }
  if (pod.hostnameInPod !== undefined && pod.hostnameInPod !== name) {
    fail(name, `${name} reports hostname "${pod.hostnameInPod}" from inside the container`, {
      expected: `hostname ${name} inside the pod`,
      observed: pod.hostnameInPod,
      at,
    });
  }
}
