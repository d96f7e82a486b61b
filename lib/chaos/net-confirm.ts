// Confirmation of `loss` and `bandwidth` from inside the target pod, pure: the shell
// scripts the harness execs there (busybox sh, nc, tc, timeout, wc) and the judging of
// what they print. A fault counts only once measured; a heal only once the opposite is.
//
// loss: many short connection attempts to each peer at once (`nc -w 1`); a connect needs
// the SYN out and the SYN-ACK back, so a per-packet loss p fails about 1-(1-p)^2 of them
// (a retransmitted SYN comes after the 1 s). The uncut control (the API server's Service)
// must connect every time: the loss is between the chosen pods, not the pod's network.
// bandwidth: `tc qdisc show` inside the pod lists the agent's tbf (reading qdiscs needs no
// privilege), and a transfer from the pod to a peer's listener moves no more than the pipe allows.
import { TBF_HANDLE } from '../agent/bandwidth.ts';
import { TIMEOUTS } from '../timeouts.ts';

/** Connection attempts per peer, and to the control, in one loss measurement. */
export const LOSS_ATTEMPTS = 20;
export const CONTROL_ATTEMPTS = 5;
/** Fewer failed connects than this, over every peer's attempts, is not a loss clearly above zero. */
export const MIN_LOST = 3;

export interface Target {
  ip: string;
  port: string;
}

/**
 * Connect timeouts, whole seconds: 1 s where a loss must show (a retransmitted SYN comes too
 * late), 2 s where only a fault's absence must (the uncut control, the heal), so a busy
 * machine's slow connect is not taken for a loss; a loss left over still fails about
 * (1-(1-p)^2)^2 of the attempts, which 40 attempts do not miss.
 */
export const LOSS_WAIT_S = TIMEOUTS.lossConnect / 1000;
export const CLEAR_WAIT_S = TIMEOUTS.lossClearConnect / 1000;

/**
 * Seconds an attempt may live past its connect timeout. busybox nc's `-w` bounds only the
 * connect: once connected it waits for the peer to close, and under a heavy loss the close's
 * packets are retransmitted with a doubling timeout (a run of losses took 18 s and more, so
 * the whole measurement's exec timed out). An nc still alive this long after its connect
 * timeout has connected, so `timeout` ending it (SIGTERM: 143) counts as a connect.
 */
export const LINGER_S = 1;

/** Tries each target `n` times at once (connect timeout `w` seconds); one line "<ip> <rc>" per attempt. */
export function connectsScript(targets: readonly { t: Target; n: number; w: number }[]): string {
  const one = ({ ip, port }: Target, w: number): string =>
    `( timeout ${w + LINGER_S} nc -w ${w} ${ip} ${port} </dev/null >/dev/null 2>&1; rc=$?; [ $rc -eq 143 ] && rc=0; echo "${ip} $rc" ) &`;
  const loops = targets.map(({ t, n, w }) => `i=0; while [ $i -lt ${n} ]; do ${one(t, w)} i=$((i+1)); done;`);
  return `${loops.join(' ')} wait`;
}

export interface Tally {
  tried: number;
  failed: number;
}

/** Attempts and failures per address, from the script's lines; lines that are not "<ip> <rc>" are ignored. */
export function tally(stdout: string): Map<string, Tally> {
  const out = new Map<string, Tally>();
  for (const line of stdout.split('\n')) {
    const m = /^(\S+) (\d+)$/.exec(line.trim());
    if (!m) continue;
    const t = out.get(m[1] as string) ?? { tried: 0, failed: 0 };
    t.tried++;
    if (m[2] !== '0') t.failed++;
    out.set(m[1] as string, t);
  }
  return out;
}

/** The per-packet loss a share of failed connects implies (both the SYN and the SYN-ACK must pass), in %. */
export const impliedLossPercent = (failedShare: number): number => Math.round(100 * (1 - Math.sqrt(1 - Math.min(1, failedShare))));

export interface LossMeasure {
  tried: number;
  failed: number;
  /** Failed connects, % of those tried to the peers. */
  failedPercent: number;
  impliedLossPercent: number;
}

export function lossMeasure(t: ReadonlyMap<string, Tally>, peers: readonly string[]): LossMeasure {
  const tried = peers.reduce((s, p) => s + (t.get(p)?.tried ?? 0), 0);
  const failed = peers.reduce((s, p) => s + (t.get(p)?.failed ?? 0), 0);
  const share = tried > 0 ? failed / tried : 0;
  return { tried, failed, failedPercent: Math.round(100 * share), impliedLossPercent: impliedLossPercent(share) };
}

/** Why the tally does not show a loss to the peers (with the control unharmed), or undefined when it does. */
export function lossProblem(t: ReadonlyMap<string, Tally>, peers: readonly string[], control: string): string | undefined {
  const missing = peers.filter((p) => (t.get(p)?.tried ?? 0) < LOSS_ATTEMPTS);
  if (missing.length > 0)
    return `not every attempt to ${missing.join(', ')} reported (${missing.map((p) => t.get(p)?.tried ?? 0).join(', ')} of ${LOSS_ATTEMPTS})`;
  const m = lossMeasure(t, peers);
  if (m.failed < MIN_LOST)
    return `${m.failed} of ${m.tried} connection attempts to the peers failed (at least ${MIN_LOST} are needed to call the loss clearly above zero)`;
  if (m.failed === m.tried) return `all ${m.tried} connection attempts to the peers failed: that is a cut, not a loss`;
  const c = [...t].find(([ip]) => !peers.includes(ip))?.[1];
  if (!c || c.tried < CONTROL_ATTEMPTS) return `not every attempt to the uncut control ${control} reported`;
  if (c.failed > 0)
    return `${c.failed} of ${c.tried} attempts to the uncut control ${control} failed too: the pod's network is hurt, not just its peers`;
  return undefined;
}

/** Why the tally does not show every peer connecting every time, or undefined when it does. */
export function lossGoneProblem(t: ReadonlyMap<string, Tally>, peers: readonly string[]): string | undefined {
  const bad = peers.filter((p) => (t.get(p)?.tried ?? 0) < LOSS_ATTEMPTS || (t.get(p)?.failed ?? 0) > 0);
  if (bad.length === 0) return undefined;
  return bad.map((p) => `peer ${p}: ${t.get(p)?.failed ?? 0} of ${t.get(p)?.tried ?? 0} attempts failed`).join('; ');
}

/** Lists the pod's qdiscs from inside it. */
export const QDISC_SCRIPT = 'tc qdisc show';

/** The agent's pipe, as busybox or iproute2 tc prints it: "qdisc tbf 4f52: dev eth0 root ...". */
export const hasTbf = (qdiscs: string): boolean => qdiscs.split('\n').some((l) => l.trim().startsWith(`qdisc tbf ${TBF_HANDLE}`));

/** Seconds the transfer runs, and the port the peer listens on for it. */
export const TRANSFER_S = 3;
export const TRANSFER_PORT = 39_571;

/**
 * Bytes the sender offers: four times what the pipe passes in the window, so an unshaped
 * link is seen (everything arrives) without streaming gigabytes through the machine.
 */
export const offerBytes = (rateKbit: number, burst: number): number => 4 * (Math.ceil((rateKbit * 1000 * TRANSFER_S) / 8) + burst);

/**
 * In the peer: listen for one connection for TRANSFER_S seconds, print the bytes that
 * came. Its stdin stays open (busybox nc stops listening at the end of its input).
 */
export const listenScript = (): string => `sleep ${TRANSFER_S + 1} | timeout ${TRANSFER_S} nc -l -p ${TRANSFER_PORT} | wc -c`;

/** In the target: connect (again and again until the listener is up) and send `bytes` zeros. */
export const sendScript = (peer: string, bytes: number): string =>
  `timeout ${TRANSFER_S + 1} sh -c 'until head -c ${bytes} /dev/zero | nc ${peer} ${TRANSFER_PORT} >/dev/null 2>&1; do sleep 0.1; done'; true`;

/** kbit/s a count of bytes received over the window stands for. */
export const measuredKbit = (bytes: number): number => Math.round((bytes * 8) / TRANSFER_S / 1000);

/** Bytes the pipe at `rateKbit` (bucket `burst` bytes) lets through in the window, with a quarter for timing. */
const allowedBytes = (rateKbit: number, burst: number): number => Math.ceil(1.25 * ((rateKbit * 1000 * TRANSFER_S) / 8 + burst));

/** After the heal: why a transfer of `bytes` does not show the pipe gone (more than it would pass must arrive). */
export function unshapedProblem(bytes: number, rateKbit: number, burst: number): string | undefined {
  if (!Number.isFinite(bytes) || bytes <= 0) return 'no byte of the test transfer reached the peer';
  const allowed = allowedBytes(rateKbit, burst);
  if (bytes <= allowed)
    return `only ${bytes} bytes reached the peer in ${TRANSFER_S}s (${measuredKbit(bytes)} kbit/s): still no more than the ${rateKbit} kbit/s pipe passes (${allowed})`;
  return undefined;
}

/**
 * Why a transfer of `bytes` does not show the pipe at `rateKbit` (bucket `burst` bytes),
 * or undefined when it does: something arrived (the path works) and no more than the
 * bucket and the rate over the window allow, with a quarter for timing.
 */
export function transferProblem(bytes: number, rateKbit: number, burst: number): string | undefined {
  if (!Number.isFinite(bytes) || bytes <= 0) return 'no byte of the test transfer reached the peer';
  const allowed = allowedBytes(rateKbit, burst);
  if (bytes > allowed)
    return `${bytes} bytes reached the peer in ${TRANSFER_S}s (${measuredKbit(bytes)} kbit/s), more than the ${rateKbit} kbit/s pipe passes (at most ${allowed})`;
  return undefined;
}
