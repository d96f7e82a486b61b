// STS-DNS-A and STS-DNS-SRV: judged from the DNS answers the probe recorded in the
// snapshots. The last answer of a lookup is the verdict; earlier ones are kept as
// evidence because a stale cached answer settling late is itself informative.
import type { CheckDefinition, CheckInput, CheckOutcome, DnsALookup, Evidence, Snapshot } from '../types.ts';
import { failed, firstOf, passed, podFqdn, sameDnsName } from './support.ts';

export const dnsA: CheckDefinition = {
  id: 'STS-DNS-A',
  guarantee: '<pod>.<service>.<ns>.svc.<domain> resolves to the current pod IP after recreation',
  run: judgeA,
};

export const dnsSrv: CheckDefinition = {
  id: 'STS-DNS-SRV',
  guarantee: "the headless service's SRV records list exactly the ready pods, by stable name",
  run: judgeSrv,
};

function answers(lookup: DnsALookup): string {
  return lookup.answers.map((a) => `t=${a.t}ms ${a.rcode} [${a.addresses.join(', ')}]`).join('; ') || 'no answers';
}

/** Problems with one snapshot's A lookups; `phase` says which snapshot for messages. */
function judgeSnapshot(input: CheckInput, snap: Snapshot, phase: string, evidence: Evidence[], ok: Evidence[]): string[] {
  const problems: string[] = [];
  for (const pod of snap.pods) {
    const fqdn = podFqdn(input.workload, pod.name);
    const lookup = snap.dnsA.find((l) => sameDnsName(l.fqdn, fqdn));
    const expected = `NOERROR [${pod.ip}]`;
    if (!lookup) {
      problems.push(`${phase}: no A lookup was recorded for ${fqdn}`);
      evidence.push({ subject: fqdn, expected, observed: 'no lookup recorded', note: `${phase}, pod ${pod.name}` });
      continue;
    }
    const last = lookup.answers.at(-1);
    const good = last?.rcode === 'NOERROR' && last.addresses.length === 1 && last.addresses[0] === pod.ip;
    if (good) {
      const settled = lookup.answers.length > 1 ? `; settled after ${answers(lookup)}` : '';
      ok.push({ subject: fqdn, expected, observed: `NOERROR [${pod.ip}]`, at: last.t, note: `${phase}${settled}` });
      continue;
    }
    const seen = last ? `${last.rcode} [${last.addresses.join(', ')}]` : 'no answer';
    problems.push(`${phase}: ${fqdn} resolved to ${seen}, expected ${pod.name}'s IP ${pod.ip}`);
    evidence.push({ subject: fqdn, expected, observed: answers(lookup), ...(last ? { at: last.t } : {}), note: `${phase}, pod ${pod.name}` });
  }
  return problems;
}

function judgeA(input: CheckInput): CheckOutcome {
  const evidence: Evidence[] = [];
  const ok: Evidence[] = [];
  // A probe that cannot resolve the healthy baseline would make every later verdict meaningless.
  const problems = [
    ...judgeSnapshot(input, input.baseline, 'baseline', evidence, ok),
    ...judgeSnapshot(input, input.after, 'after chaos', evidence, ok),
  ];
  if (problems.length > 0) return failed(firstOf(problems), evidence);
  if (input.after.pods.length === 0) return failed('the after snapshot has no pods; no name to resolve', []);
  const names = input.after.pods.map((p) => p.name).join(', ');
  return passed(`per-pod names resolve to the current pod IPs after chaos: ${names}`, ok);
}

function judgeSrv(input: CheckInput): CheckOutcome {
  const { workload, after } = input;
  const qname = `_${workload.portName}._tcp.${workload.service}.${workload.namespace}.svc.${workload.clusterDomain}`;
  const srv = after.dnsSrv;
  if (!srv) {
    return failed(`no SRV lookup for ${qname} was recorded in the after snapshot`, [
      { subject: qname, expected: 'an SRV answer', observed: 'no lookup recorded', at: after.t },
    ]);
  }
  const norm = (s: string): string => s.replace(/\.$/, '').toLowerCase();
  const expected = after.pods.filter((p) => p.ready).map((p) => norm(podFqdn(workload, p.name)));
  const got = srv.targets.map((t) => norm(t.target));
  const missing = expected.filter((n) => !got.includes(n));
  const extra = [...new Set(got.filter((n) => !expected.includes(n)))];
  const ports = [...new Set(srv.targets.map((t) => t.port))];
  const listed = srv.targets.map((t) => `${t.target}:${t.port}`).join(', ') || 'none';
  const problems: string[] = [];
  const evidence: Evidence[] = [];
  const at = srv.t;
  for (const n of missing) {
    problems.push(`SRV ${srv.rcode} is missing ready pod ${n}`);
    evidence.push({ subject: n, expected: 'listed as an SRV target (pod is ready)', observed: `absent; targets: ${listed}`, at });
  }
  for (const n of extra) {
    problems.push(`SRV lists ${n}, which is not a ready pod of ${workload.statefulSet}`);
    evidence.push({ subject: n, expected: `one of: ${expected.join(', ') || 'none'}`, observed: 'listed as an SRV target', at });
  }
  if (ports.length > 1) {
    problems.push(`SRV targets disagree on the port: ${ports.join(', ')}`);
    evidence.push({ subject: qname, expected: 'one port for every target', observed: listed, at });
  }
  if (problems.length > 0) return failed(firstOf(problems), evidence);
  if (expected.length === 0) return failed(`no pod was ready after chaos, so ${qname} cannot be judged`, evidence);
  return passed(`SRV lists exactly the ${expected.length} ready pods on port ${ports[0]}`, [
    { subject: qname, expected: expected.join(', '), observed: listed, at },
  ]);
}
