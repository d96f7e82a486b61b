// DNS as the application sees it: from inside a workload pod, through the nameserver of
// the pod's own resolv.conf (the kube-dns Service IP). A names go through busybox
// nslookup, one exec asking every name in a shell loop. The SRV question goes over TCP
// (nc, the bytes built and parsed here with dns2): nslookup asks over UDP only and prints
// a truncated answer (TC bit) as if whole, and twenty SRV targets do not fit 512 bytes.
import DNS from 'dns2';
import { describeError } from '../errors.ts';
import type { DnsAnswer, SrvAnswer } from './records.ts';
import { srvAnswerOf } from './dns.ts';
import type { ExecFn } from './exec.ts';
import { TIMEOUTS } from '../timeouts.ts';

// A only: busybox would otherwise also ask AAAA and print its "No answer" as noise.
const SCRIPT = 'for n in "$@"; do echo "@@@ $n"; nslookup -type=a "$n" 2>&1; echo "@@@rc $?"; done';

// $1 is the length-prefixed query as printf octal escapes; the reply comes back as hex.
// nc half-closes after the query, so the server closes once it has answered; -w bounds a silent one.
const SRV_SCRIPT = [
  'command -v nc >/dev/null 2>&1 && command -v od >/dev/null 2>&1 || { echo "@@@missing"; exit 0; };',
  'ns=; while read -r k v _; do [ "$k" = nameserver ] && { ns=$v; break; }; done < /etc/resolv.conf;',
  '[ -n "$ns" ] || { echo "@@@nonameserver"; exit 0; };',
  'echo "@@@ns $ns"; printf "$1" | nc -w 3 "$ns" 53 | od -An -tx1 -v',
].join(' ');

/** The DNS-over-TCP query for SRV `qname` (2-byte length prefix), as printf octal escapes. */
export function srvQueryEscaped(qname: string): string {
  const packet = new DNS.Packet();
  packet.header.id = 1 + Math.floor(Math.random() * 65534);
  packet.header.rd = 1;
  packet.questions.push(new DNS.Packet.Question(qname, DNS.Packet.TYPE.SRV, DNS.Packet.CLASS.IN));
  const body = packet.toBuffer();
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length);
  return [...Buffer.concat([len, body])].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
}

/** The in-pod SRV answer from SRV_SCRIPT's output: the reply's hex dump parsed, or TRANSPORT saying why not. */
export function parseTcpSrvOutput(out: string, server: string, t: number): SrvAnswer {
  const fail = (error: string): SrvAnswer => ({ server, t, rcode: 'TRANSPORT', targets: [], error });
  if (out.includes('@@@missing'))
    return fail('the image has no nc or od: the SRV question cannot be asked over TCP, and a UDP answer may be truncated');
  if (out.includes('@@@nonameserver')) return fail('no nameserver line in /etc/resolv.conf');
  const ns = /^@@@ns (\S+)/m.exec(out)?.[1] ?? '?';
  const hex = out
    .split('\n')
    .filter((l) => !l.startsWith('@@@'))
    .join(' ')
    .trim()
    .split(/\s+/)
    .filter((x) => /^[0-9a-f]{2}$/i.test(x));
  const buf = Buffer.from(hex.join(''), 'hex');
  if (buf.length < 2) return fail(`no reply from ${ns}:53 over TCP within 3 s`);
  const len = buf.readUInt16BE(0);
  if (buf.length < 2 + len) return fail(`the reply from ${ns}:53 was cut short: ${buf.length - 2} of ${len} bytes`);
  try {
    return srvAnswerOf(DNS.Packet.parse(buf.subarray(2, 2 + len)), server, t);
  } catch (err) {
    return fail(`unparseable reply from ${ns}:53: ${describeError(err)}`);
  }
}

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

const firstLine = (s: string): string =>
  s
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l && !/^(Server|Address):/.test(l)) ?? '';

export interface InPodAnswers {
  pod: string;
  a: Map<string, DnsAnswer>;
  srv?: SrvAnswer & { pod: string };
}

/** Resolves every A name (and the SRV name, over TCP, if given) from inside `pod`; an exec failure makes every answer TRANSPORT. */
export async function resolveInPod(
  exec: ExecFn,
  pod: string,
  container: string,
  aNames: readonly string[],
  srvName: string | undefined,
  now: () => number,
): Promise<InPodAnswers> {
  let parsed = new Map<string, ParsedLookup>();
  let failure: string | undefined;
  if (aNames.length > 0) {
    try {
      const r = await exec(pod, container, ['sh', '-c', SCRIPT, 'ordinal-dns', ...aNames]);
      parsed = parseNslookupLoop(r.stdout);
      if (r.exitCode !== 0) failure = `the nslookup loop exited ${r.exitCode}: ${(r.stderr || r.stdout).trim().slice(0, 200)}`;
    } catch (err) {
      failure = `exec in pod ${pod} failed: ${describeError(err)}`;
    }
  }
  const t = now();
  const of = (n: string): ParsedLookup =>
    parsed.get(n) ?? { rcode: 'TRANSPORT', addresses: [], targets: [], error: failure ?? `no output for ${n}` };
  const a = new Map<string, DnsAnswer>();
  for (const n of aNames) {
    const p = of(n);
    a.set(n, { t, rcode: p.rcode, addresses: p.addresses, ...(p.error ? { error: p.error } : {}) });
  }
  const out: InPodAnswers = { pod, a };
  if (srvName) out.srv = { pod, ...(await resolveSrvInPod(exec, pod, container, srvName, now)) };
  return out;
}

/** SRV `qname` asked over TCP from inside `pod` to its resolv.conf nameserver. */
export async function resolveSrvInPod(exec: ExecFn, pod: string, container: string, qname: string, now: () => number): Promise<SrvAnswer> {
  const server = `pod ${pod} resolver`;
  try {
    const r = await exec(pod, container, ['sh', '-c', SRV_SCRIPT, 'ordinal-srv', srvQueryEscaped(qname)]);
    if (r.exitCode !== 0)
      return {
        server,
        t: now(),
        rcode: 'TRANSPORT',
        targets: [],
        error: `the TCP SRV query exited ${r.exitCode}: ${(r.stderr || r.stdout).trim().slice(0, 200)}`,
      };
    return parseTcpSrvOutput(r.stdout, server, now());
  } catch (err) {
    return { server, t: now(), rcode: 'TRANSPORT', targets: [], error: `exec in pod ${pod} failed: ${describeError(err)}` };
  }
}

/**
 * The in-pod answers, asked again until each A answer and the SRV answer is `settled`
 * or the deadline passes (each name keeps its last answer), as the servers are settled:
 * the pod's resolver caches too, and one early question would judge a cached answer as final.
 */
export async function settleInPod(
  exec: ExecFn,
  pod: string,
  container: string,
  aNames: readonly string[],
  srvName: string | undefined,
  settled: { a: (name: string, a: DnsAnswer) => boolean; srv: (a: SrvAnswer) => boolean },
  deadline: () => number,
  now: () => number,
): Promise<InPodAnswers> {
  const out: InPodAnswers = { pod, a: new Map() };
  const pendingA = (): string[] =>
    aNames.filter((n) => {
      const a = out.a.get(n);
      return !a || !settled.a(n, a);
    });
  const srvPending = (): boolean => !!srvName && (!out.srv || !settled.srv(out.srv));
  for (;;) {
    const got = await resolveInPod(exec, pod, container, pendingA(), srvPending() ? srvName : undefined, now);
    for (const [n, a] of got.a) out.a.set(n, a);
    if (got.srv) out.srv = got.srv;
    if (pendingA().length === 0 && !srvPending()) break;
    const wait = Math.max(TIMEOUTS.dnsInPodRetryAtLeast, Math.min((out.srv?.ttl ?? 0) * 1000, TIMEOUTS.dnsRetryAtMost));
    if (now() + wait > deadline()) break;
    await new Promise((r) => setTimeout(r, wait));
  }
  return out;
}
