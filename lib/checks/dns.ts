// STS-DNS-A and STS-DNS-SRV: judged from the DNS answers the probe recorded in the
// snapshots, from every server asked (each Ready CoreDNS pod, or --dns-server) and from
// inside a workload pod through its own resolver. Each source's last answer counts, judged
// against what DNS may publish at the moment it was given (lib/timeline/dns-listing.ts:
// readiness from the timeline, one record TTL, publishNotReadyAddresses, API outages):
// one wrong answer from any source is a failure (servers disagreeing is evidence); a name
// no source answered at all (TIMEOUT, TRANSPORT, TRUNCATED) is unobserved, so `error`.
import { serviceSrvName } from '../names.ts';
import { DnsListing, type PodWindow } from '../timeline/dns-listing.ts';
import type { CheckDefinition, CheckInput, CheckOutcome } from './api.ts';
import type { Evidence } from '../model.ts';
import type { DnsALookup, DnsAnswer, PodSnapshot, Snapshot, SrvAnswer } from '../probes/records.ts';
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
export const unobserved = (rcode: string): boolean => rcode === 'TIMEOUT' || rcode === 'TRANSPORT' || rcode === 'TRUNCATED';

/** The timeline's DNS listing for this run's workload. */
export function listingOf(input: CheckInput): DnsListing {
  return new DnsListing(input.timeline, {
    statefulSet: input.workload.statefulSet,
    ...(input.workload.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
    ...(input.limits?.dnsBudgetMs !== undefined ? { budgetMs: input.limits.dnsBudgetMs } : {}),
  });
}

/** Whether an A answer fits the pod's window: one published IP, or no record while the pod was unpublished. */
export function fitsWindow(a: DnsAnswer, w: PodWindow): boolean {
  if (a.rcode === 'NOERROR' && a.addresses.length === 1) return w.ips.includes(a.addresses[0]!);
  return w.unlisted && (a.rcode === 'NXDOMAIN' || (a.rcode === 'NOERROR' && a.addresses.length === 0));
}

const describeWindow = (w: PodWindow): string =>
  [w.ips.length > 0 ? `NOERROR [${w.ips.join(' or ')}]` : '', w.unlisted ? 'no record (NXDOMAIN)' : ''].filter(Boolean).join(', or ');

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

/** The pod's window for an answer at `a.t`; without timeline entries for it (older recordings), exactly the snapshot's IP. */
function windowFor(listing: DnsListing, pod: PodSnapshot, a: DnsAnswer): PodWindow {
  if (!listing.pods().includes(pod.name))
    return { ips: [pod.ip], unlisted: false, required: pod.ip, from: a.t, why: 'the snapshot (no timeline entries for the pod)' };
  return listing.at(pod.name, a.t, a.ttl);
}

function judgeSnapshot(input: CheckInput, listing: DnsListing, snap: Snapshot, phase: string, t: Tally): void {
  for (const pod of snap.pods) {
    const fqdn = podFqdn(input.workload, pod.name);
    const lookup = snap.dnsA.find((l) => sameDnsName(l.fqdn, fqdn));
    if (!lookup) {
      t.problems.push(`${phase}: no A lookup was recorded for ${fqdn}`);
      t.evidence.push({
        subject: fqdn,
        expected: `NOERROR [${pod.ip}]`,
        observed: 'no lookup recorded',
        note: `${phase}, pod ${pod.name}`,
      });
      continue;
    }
    const sources = sourcesOf(lookup);
    const lasts = sources.map((s) => ({ s, last: s.answers.at(-1) }));
    const judged = lasts.map(({ s, last }) => ({
      s,
      last,
      w: last && !unobserved(last.rcode) ? windowFor(listing, pod, last) : undefined,
    }));
    const wrong = judged.filter(({ last, w }) => last && w && !fitsWindow(last, w));
    const good = judged.filter(({ last, w }) => last && w && fitsWindow(last, w));
    const blind = lasts.filter(({ last }) => !last || unobserved(last.rcode));
    const expected = `NOERROR [${pod.ip}]`;
    const disagree =
      wrong.length > 0 && good.length > 0 ? `servers disagree: ${good.map(({ s }) => s.server).join(', ')} answered as DNS may` : undefined;
    for (const { s, last, w } of wrong) {
      t.problems.push(`${phase}: ${fqdn} resolved to ${showA(last!)} at t=${last!.t}ms, expected ${describeWindow(w!)} (from ${s.server})`);
      t.evidence.push({
        subject: fqdn,
        expected: describeWindow(w!),
        observed: history(s.answers),
        at: last!.t,
        note: [`${phase}, pod ${pod.name}, from ${s.server}; judged over t=${w!.from}..${last!.t}ms (${w!.why})`, disagree]
          .filter(Boolean)
          .join('; '),
      });
    }
    if (wrong.length > 0) continue;
    if (good.length === 0) {
      for (const { s, last } of blind) {
        t.unseen.push({
          subject: fqdn,
          expected,
          observed: `no answer from ${s.server}: ${last ? showA(last) : 'not asked'}`,
          ...(last ? { at: last.t } : {}),
          note: `${phase}, pod ${pod.name}`,
        });
      }
      continue;
    }
    const settled = sources[0] && sources[0].answers.length > 1 ? `; settled after ${history(sources[0].answers)}` : '';
    const blindNote =
      blind.length > 0
        ? `; no answer from ${blind.map(({ s, last }) => `${s.server} (${last ? showA(last) : 'not asked'})`).join(', ')}`
        : '';
    const seen = [...new Set(good.map(({ last }) => showA(last!)))].join(', ');
    t.ok.push({
      subject: fqdn,
      expected,
      observed: seen,
      at: good.at(-1)!.last!.t,
      note: `${phase}${settled}; from ${good.map(({ s }) => s.server).join(', ')}${blindNote}`,
    });
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
  const listing = listingOf(input);
  judgeSnapshot(input, listing, input.baseline, 'baseline', t);
  judgeSnapshot(input, listing, input.after, 'after chaos', t);
  if (t.problems.length === 0 && t.unseen.length === 0 && input.after.pods.length === 0) {
    return failed('the after snapshot has no pods; no name to resolve', []);
  }
  const names = input.after.pods.map((p) => p.name).join(', ');
  return verdict(t, 'every source timed out or could not be reached', `per-pod names resolve to the current pod IPs after chaos: ${names}`);
}

/** The pods an SRV answer may and must list at its moment; without timeline entries (older recordings), the snapshot's ready pods. */
function srvWindow(
  input: CheckInput,
  listing: DnsListing,
  a: SrvAnswer,
): { required: string[]; allowed: string[]; why: string; from: number } {
  if (listing.pods().length > 0) return listing.srvAt(a.t, a.ttl);
  const ready = input.after.pods.filter((p) => p.ready || input.workload.publishNotReadyAddresses).map((p) => p.name);
  return { required: ready, allowed: ready, why: 'the snapshot (no timeline entries)', from: a.t };
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
  const listing = listingOf(input);
  const which = srvWhich(input);
  const sources: SrvAnswer[] = [
    ...(srv.servers ?? [
      { server: 'resolver', t: srv.t, rcode: srv.rcode, targets: srv.targets, ...(srv.error ? { error: srv.error } : {}) },
    ]),
    ...(srv.inPod ? [{ ...srv.inPod, server: `pod ${srv.inPod.pod} resolver (in-pod)` }] : []),
  ];
  const t: Tally = { problems: [], evidence: [], unseen: [], ok: [] };
  let answered = 0;
  let listedCount = 0;
  for (const s of sources) {
    const listed = judgeSrvSource(input, listing, s, t);
    if (listed === undefined) continue;
    answered++;
    listedCount = Math.max(listedCount, listed);
  }
  // Unobserved sources only matter when nobody answered (see STS-DNS-A).
  if (answered > 0 && t.problems.length === 0) {
    for (const u of t.unseen) t.ok.push({ ...u, note: 'no answer from this source; others answered' });
    t.unseen = [];
  }
  if (t.problems.length === 0 && t.unseen.length === 0 && listedCount === 0) {
    return failed(
      `no pod was ${workload.publishNotReadyAddresses ? 'published' : 'ready'} after chaos, so ${qname} cannot be judged`,
      t.evidence,
    );
  }
  const ports = [...new Set(sources.filter((s) => !unobserved(s.rcode)).flatMap((s) => s.targets.map((x) => x.port)))];
  return verdict(
    t,
    'every source timed out, could not be reached or gave a truncated answer',
    `SRV lists exactly the ${listedCount} ${which} on port ${ports.join(', ')} (${answered} source${answered === 1 ? '' : 's'})`,
  );
}

const norm = (s: string): string => s.replace(/\.$/, '').toLowerCase();
const srvWhich = ({ workload }: CheckInput): string =>
  workload.publishNotReadyAddresses ? 'pods with an IP (publishNotReadyAddresses)' : 'ready pods';

/**
 * One source's SRV answer against the pods that must and may be listed over its window.
 * Returns how many targets it listed, or undefined when it gave no answer (unobserved).
 */
function judgeSrvSource(input: CheckInput, listing: DnsListing, s: SrvAnswer, t: Tally): number | undefined {
  const { workload } = input;
  const qname = serviceSrvName(workload);
  const which = srvWhich(input);
  const fqdn = (pod: string): string => norm(podFqdn(workload, pod));
  const w = srvWindow(input, listing, s);
  const required = w.required.map(fqdn);
  const allowed = w.allowed.map(fqdn);
  const listed = s.targets.map((x) => `${x.target}:${x.port}`).join(', ') || 'none';
  const judgedOver = `judged over t=${w.from}..${s.t}ms (${w.why})`;
  if (unobserved(s.rcode)) {
    t.unseen.push({
      subject: qname,
      expected: required.join(', '),
      observed: `no answer from ${s.server}: ${s.rcode}${s.error ? ` (${s.error})` : ''}`,
      at: s.t,
    });
    return undefined;
  }
  const got = s.targets.map((x) => norm(x.target));
  const missing = required.filter((n) => !got.includes(n));
  const extra = [...new Set(got.filter((n) => !allowed.includes(n)))];
  const ports = [...new Set(s.targets.map((x) => x.port))];
  const n = t.problems.length;
  for (const m of missing) {
    t.problems.push(`SRV ${s.rcode} is missing ${m}, listed throughout t=${w.from}..${s.t}ms (from ${s.server})`);
    t.evidence.push({
      subject: m,
      expected: `listed as an SRV target (one of the ${which} throughout the window)`,
      observed: `absent from ${s.server}; targets: ${listed}`,
      at: s.t,
      note: judgedOver,
    });
  }
  for (const x of extra) {
    t.problems.push(`SRV lists ${x}, which is not one of the ${which} of ${workload.statefulSet} (from ${s.server})`);
    t.evidence.push({
      subject: x,
      expected: `one of: ${allowed.join(', ') || 'none'}`,
      observed: `listed by ${s.server}`,
      at: s.t,
      note: judgedOver,
    });
  }
  if (ports.length > 1) {
    t.problems.push(`SRV targets from ${s.server} disagree on the port: ${ports.join(', ')}`);
    t.evidence.push({ subject: qname, expected: 'one port for every target', observed: listed, at: s.t });
  }
  const tolerated = allowed.length > required.length ? `; may also list ${allowed.filter((a) => !required.includes(a)).join(', ')}` : '';
  if (t.problems.length === n)
    t.ok.push({ subject: qname, expected: required.join(', ') + tolerated, observed: `${s.server}: ${listed}`, at: s.t, note: judgedOver });
  return got.length;
}
