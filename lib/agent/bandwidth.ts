// `bandwidth`: a thin pipe: the pod's egress interface gets a token-bucket filter (tbf)
// as its root qdisc, under a handle of Ordinal's own, so a heal removes exactly it and a
// leftover is recognisable from inside the pod (`tc qdisc show` needs no privilege).
// Pure: the argument lists and the parsing of tc's and ip's output.

/** The qdisc handle the agent owns ("OR"); tc prints it as `4f52:`. */
export const TBF_HANDLE = '4f52:';

/** Queueing the bucket allows before it drops: long enough that TCP slows down rather than loses. */
const LATENCY = '400ms';

/** Bytes the bucket holds: 100 ms at the rate, never below a few full-size frames (tbf refuses a burst under the MTU). */
export const burstBytes = (rateKbit: number): number => Math.max(4096, Math.ceil((rateKbit * 1000) / 8 / 10));

/** `tc` arguments that put the pipe on `dev` (replace: a left-over one of ours is overwritten, not doubled). */
export function tbfArgs(dev: string, rateKbit: number): string[] {
  return [
    'qdisc',
    'replace',
    'dev',
    dev,
    'root',
    'handle',
    TBF_HANDLE,
    'tbf',
    'rate',
    `${rateKbit}kbit`,
    'burst',
    String(burstBytes(rateKbit)),
    'latency',
    LATENCY,
  ];
}

const DEV = /^[A-Za-z0-9_.-]{1,15}$/;

/** The interface of the default route, from `ip -o route show default` (e.g. "default via 10.244.1.1 dev eth0"). */
export function defaultDev(routes: string): string | undefined {
  const dev = /\bdev (\S+)/.exec(routes)?.[1];
  return dev && DEV.test(dev) ? dev : undefined;
}

/** The devices whose root qdisc is ours, from `tc qdisc show` (all devices). */
export function devsWithTbf(qdiscs: string): string[] {
  return qdiscs
    .split('\n')
    .map((l) => new RegExp(`^qdisc tbf ${TBF_HANDLE} dev (\\S+) root`).exec(l.trim())?.[1])
    .filter((d): d is string => d !== undefined && DEV.test(d));
}
