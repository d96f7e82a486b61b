// STS-DNS-A and STS-DNS-SRV: judged from the DNS answers the probe recorded in the
// snapshots, from every server asked (each Ready CoreDNS pod, or --dns-server) and from
// inside a workload pod through its own resolver. Each source's last answer counts:
// one wrong answer from any source is a failure (servers disagreeing is evidence); a
// name no source answered at all (TIMEOUT, TRANSPORT) is unobserved, so `error`.
import { serviceSrvName } from '../names.ts';
import type { CheckDefinition, CheckInput, CheckOutcome, DnsALookup, DnsAnswer, Evidence, Snapshot, SrvAnswer } from '../types.ts';
import { errored, failed, firstOf, passed, podFqdn, sameDnsName } from './support.ts';

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

/** No answer was obtained: the question, not the cluster, failed. */
export const unobserved = (rcode: string): boolean => rcode === 'TIMEOUT' || rcode === 'TRANSPORT';

const showA = (a: DnsAnswer): string => `${a.rcode} [${a.addresses.join(', ')}]${a.error ? ` (${a.error})` : ''}`;
const history = (answers: DnsAnswer[]): string => answers.map((a) => `t=${a.t}ms ${showA(a)}`).join('; ') || 'no answers';

interface Source {
  server: string;
  answers: DnsAnswer[];
}

function sourcesOf(l: DnsALookup): Source[] {
  const servers = l.servers ?? [{ server: 'resolver', answers: l.answers }];
  return [...servers, ...(l.inPod ? [{ server: `pod ${l.inPod.pod} resolver (in-pod)`, answers: [l.inPod.answer] }] : [])];
}

interface Tally {
  problems: string[];
  evidence: Evidence[];
  unseen: Evidence[];
  ok: Evidence[];
}

function judgeSnapshot(input: CheckInput, snap: Snapshot, phase: string, t: Tally): void {
  for (const pod of snap.pods) {
    const fqdn = podFqdn(input.workload, pod.name);
    const lookup = snap.dnsA.find((l) => sameDnsName(l.fqdn, fqdn));
    const expected = `NOERROR [${pod.ip}]`;
    if (!lookup) {
      t.problems.push(`${phase}: no A lookup was recorded for ${fqdn}`);
      t.evidence.push({ subject: fqdn, expected, observed: 'no lookup recorded', note: `${phase}, pod ${pod.name}` });
      continue;
    }
    const sources = sourcesOf(lookup);
    const right = (a: DnsAnswer): boolean => a.rcode === 'NOERROR' && a.addresses.length === 1 && a.addresses[0] === pod.ip;
    const lasts = sources.map((s) => ({ s, last: s.answers.at(-1) }));
    const wrong = lasts.filter(({ last }) => last && !unobserved(last.rcode) && !right(last));
    const good = lasts.filter(({ last }) => last && right(last));
    const blind = lasts.filter(({ last }) => !last || unobserved(last.rcode));
    const disagree = wrong.length > 0 && good.length > 0 ? `servers disagree: ${good.map(({ s }) => s.server).join(', ')} answered ${expected}` : undefined;
    for (const { s, last } of wrong) {
      t.problems.push(`${phase}: ${fqdn} resolved to ${showA(last!)}, expected ${pod.name}'s IP ${pod.ip} (from ${s.server})`);
      t.evidence.push({ subject: fqdn, expected, observed: history(s.answers), at: last!.t, note: [`${phase}, pod ${pod.name}, from ${s.server}`, disagree].filter(Boolean).join('; ') });
    }
    if (wrong.length > 0) continue;
    if (good.length === 0) {
      for (const { s, last } of blind) {
        t.unseen.push({ subject: fqdn, expected, observed: `no answer from ${s.server}: ${last ? showA(last) : 'not asked'}`, ...(last ? { at: last.t } : {}), note: `${phase}, pod ${pod.name}` });
      }
      continue;
    }
    const settled = sources[0] && sources[0].answers.length > 1 ? `; settled after ${history(sources[0].answers)}` : '';
    const blindNote = blind.length > 0 ? `; no answer from ${blind.map(({ s, last }) => `${s.server} (${last ? showA(last) : 'not asked'})`).join(', ')}` : '';
    t.ok.push({ subject: fqdn, expected, observed: expected, at: good.at(-1)!.last!.t, note: `${phase}${settled}; from ${good.map(({ s }) => s.server).join(', ')}${blindNote}` });
  }
}

function verdict(t: Tally, what: string, passMessage: string): CheckOutcome {
  if (t.problems.length > 0) return failed(firstOf(t.problems), [...t.evidence, ...t.unseen]);
  if (t.unseen.length > 0) {
    const names = [...new Set(t.unseen.map((e) => e.subject))];
    return errored(`no DNS answer was obtained for ${names.join(', ')} (${what}): ${t.unseen[0]?.observed ?? ''}`, [...t.unseen, ...t.ok]);
  }
  return passed(passMessage, t.ok);
}

function judgeA(input: CheckInput): CheckOutcome {
  const t: Tally = { problems: [], evidence: [], unseen: [], ok: [] };
  // A probe that cannot resolve the healthy baseline would make every later verdict meaningless.
  judgeSnapshot(input, input.baseline, 'baseline', t);
  judgeSnapshot(input, input.after, 'after chaos', t);
  if (t.problems.length === 0 && t.unseen.length === 0 && input.after.pods.length === 0) {
    return failed('the after snapshot has no pods; no name to resolve', []);
  }
  const names = input.after.pods.map((p) => p.name).join(', ');
  return verdict(t, 'every source timed out or could not be reached', `per-pod names resolve to the current pod IPs after chaos: ${names}`);
}

function judgeSrv(input: CheckInput): CheckOutcome {
  const { workload, after } = input;
  const qname = serviceSrvName(workload);
  const srv = after.dnsSrv;
  if (!srv) {
    return failed(`no SRV lookup for ${qname} was recorded in the after snapshot`, [
      { subject: qname, expected: 'an SRV answer', observed: 'no lookup recorded', at: after.t },
    ]);
  }
  const norm = (s: string): string => s.replace(/\.$/, '').toLowerCase();
  const expected = after.pods.filter((p) => p.ready).map((p) => norm(podFqdn(workload, p.name)));
  const sources: SrvAnswer[] = [
    ...(srv.servers ?? [{ server: 'resolver', t: srv.t, rcode: srv.rcode, targets: srv.targets, ...(srv.error ? { error: srv.error } : {}) }]),
    ...(srv.inPod ? [{ ...srv.inPod, server: `pod ${srv.inPod.pod} resolver (in-pod)` }] : []),
  ];
  const t: Tally = { problems: [], evidence: [], unseen: [], ok: [] };
  let answered = 0;
  for (const s of sources) {
    const listed = s.targets.map((x) => `${x.target}:${x.port}`).join(', ') || 'none';
    if (unobserved(s.rcode)) {
      t.unseen.push({ subject: qname, expected: expected.join(', '), observed: `no answer from ${s.server}: ${s.rcode}${s.error ? ` (${s.error})` : ''}`, at: s.t });
      continue;
    }
    answered++;
    const got = s.targets.map((x) => norm(x.target));
    const missing = expected.filter((n) => !got.includes(n));
    const extra = [...new Set(got.filter((n) => !expected.includes(n)))];
    const ports = [...new Set(s.targets.map((x) => x.port))];
    const n = t.problems.length;
    for (const m of missing) {
      t.problems.push(`SRV ${s.rcode} is missing ready pod ${m} (from ${s.server})`);
      t.evidence.push({ subject: m, expected: 'listed as an SRV target (pod is ready)', observed: `absent from ${s.server}; targets: ${listed}`, at: s.t });
    }
    for (const x of extra) {
      t.problems.push(`SRV lists ${x}, which is not a ready pod of ${workload.statefulSet} (from ${s.server})`);
      t.evidence.push({ subject: x, expected: `one of: ${expected.join(', ') || 'none'}`, observed: `listed by ${s.server}`, at: s.t });
    }
    if (ports.length > 1) {
      t.problems.push(`SRV targets from ${s.server} disagree on the port: ${ports.join(', ')}`);
      t.evidence.push({ subject: qname, expected: 'one port for every target', observed: listed, at: s.t });
    }
    if (t.problems.length === n) t.ok.push({ subject: qname, expected: expected.join(', '), observed: `${s.server}: ${listed}`, at: s.t });
  }
  // Unobserved sources only matter when nobody answered (see STS-DNS-A).
  if (answered > 0 && t.problems.length === 0) {
    for (const u of t.unseen) t.ok.push({ ...u, note: 'no answer from this source; others answered' });
    t.unseen = [];
  }
  if (t.problems.length === 0 && t.unseen.length === 0 && expected.length === 0) {
    return failed(`no pod was ready after chaos, so ${qname} cannot be judged`, t.evidence);
  }
  const ports = [...new Set(sources.filter((s) => !unobserved(s.rcode)).flatMap((s) => s.targets.map((x) => x.port)))];
  return verdict(t, 'every source timed out or could not be reached', `SRV lists exactly the ${expected.length} ready pods on port ${ports.join(', ')} (${answered} source${answered === 1 ? '' : 's'})`);
}
