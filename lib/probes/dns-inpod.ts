// DNS as the application sees it: busybox nslookup inside a workload pod, through the
// pod's own resolv.conf (the kube-dns Service IP, search path, ndots). One exec per
// snapshot asks every name in a shell loop, so the in-pod view costs one round trip.
import { describeError } from '../errors.ts';
import type { DnsAnswer, SrvAnswer } from '../types.ts';
import type { ExecFn } from './exec.ts';

// Names starting with "_" are SRV questions; everything else is asked for A only
// (busybox would otherwise also ask AAAA and print its "No answer" as noise).
const SCRIPT = 'for n in "$@"; do t=a; case "$n" in _*) t=srv;; esac; echo "@@@ $n"; nslookup -type=$t "$n" 2>&1; echo "@@@rc $?"; done';

export interface ParsedLookup {
  rcode: string;
  addresses: string[];
  targets: { target: string; port: number }[];
  error?: string;
}

/** Splits the loop's output into one parsed answer per name. Unrecognised output is TRANSPORT (unobserved), never an answer. */
export function parseNslookupLoop(out: string): Map<string, ParsedLookup> {
  const result = new Map<string, ParsedLookup>();
  for (const block of out.split(/^@@@ (?!rc )/m).slice(1)) {
    const [name = '', ...lines] = block.split('\n');
    result.set(name.trim(), parseOne(lines.filter((l) => !l.startsWith('@@@rc '))));
  }
  return result;
}

function parseOne(lines: string[]): ParsedLookup {
  const text = lines.join('\n');
  const none = { addresses: [], targets: [] };
  if (/connection timed out|no servers could be reached/i.test(text)) return { rcode: 'TIMEOUT', ...none, error: firstLine(text) };
  const cannot = /\*\* server can't find [^\n]*: ([A-Z]+)\s*$/m.exec(text);
  if (cannot?.[1]) return { rcode: cannot[1], ...none };
  const addresses: string[] = [];
  const targets: { target: string; port: number }[] = [];
  let inAnswer = false;
  for (const l of lines) {
    if (/^Name:\s/.test(l)) inAnswer = true;
    const a = inAnswer ? /^Address(?: \d+)?:\s+(\S+)\s*$/.exec(l) : null;
    if (a?.[1]) addresses.push(a[1]);
    const s = /\sservice = \d+ \d+ (\d+) (\S+)\s*$/.exec(l);
    if (s?.[1] && s[2]) targets.push({ target: s[2], port: Number(s[1]) });
  }
  if (addresses.length > 0 || targets.length > 0) return { rcode: 'NOERROR', addresses: addresses.sort(), targets };
  if (/\*\*\* Can't find [^\n]*: No answer/.test(text)) return { rcode: 'NOERROR', ...none };
  return { rcode: 'TRANSPORT', ...none, error: `unrecognised nslookup output: ${firstLine(text) || '(empty)'}` };
}

const firstLine = (s: string): string => s.split('\n').map((l) => l.trim()).find((l) => l && !/^(Server|Address):/.test(l)) ?? '';

export interface InPodAnswers {
  pod: string;
  a: Map<string, DnsAnswer>;
  srv?: SrvAnswer & { pod: string };
}

/** Resolves every A name (and the SRV name, if given) from inside `pod`; an exec failure makes every answer TRANSPORT. */
export async function resolveInPod(
  exec: ExecFn, pod: string, container: string, aNames: readonly string[], srvName: string | undefined, now: () => number,
): Promise<InPodAnswers> {
  const names = [...aNames, ...(srvName ? [srvName] : [])];
  let parsed: Map<string, ParsedLookup>;
  let failure: string | undefined;
  try {
    const r = await exec(pod, container, ['sh', '-c', SCRIPT, 'ordinal-dns', ...names]);
    parsed = parseNslookupLoop(r.stdout);
    if (r.exitCode !== 0) failure = `the nslookup loop exited ${r.exitCode}: ${(r.stderr || r.stdout).trim().slice(0, 200)}`;
  } catch (err) {
    parsed = new Map();
    failure = `exec in pod ${pod} failed: ${describeError(err)}`;
  }
  const t = now();
  const of = (n: string): ParsedLookup => parsed.get(n) ?? { rcode: 'TRANSPORT', addresses: [], targets: [], error: failure ?? `no output for ${n}` };
  const a = new Map<string, DnsAnswer>();
  for (const n of aNames) {
    const p = of(n);
    a.set(n, { t, rcode: p.rcode, addresses: p.addresses, ...(p.error ? { error: p.error } : {}) });
  }
  const out: InPodAnswers = { pod, a };
  if (srvName) {
    const p = of(srvName);
    out.srv = { pod, server: `pod ${pod} resolver`, t, rcode: p.rcode, targets: p.targets, ...(p.error ? { error: p.error } : {}) };
  }
  return out;
}
