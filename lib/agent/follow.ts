// Rules that follow identities (lib/agent/agent.ts): a request may name its peers by pod
// name instead of IP, and ask that the rules follow the pod itself. A peer recreated
// mid-fault comes back with a new IP, which the agent cuts before it forgets the old;
// a cut pod recreated mid-fault comes back with a new UID and network namespace, which
// the agent (of whichever node it lands on) cuts again. Pure: what to add and remove.

/** Pod name to IP, both ways and arriving only. */
export interface NamedCut {
  cut: Record<string, string>;
  inFrom: Record<string, string>;
}

/**
 * The IPs the named pods have now (`ipOf` answers undefined for a pod with none, e.g. one
 * being recreated), keeping the last one known for a pod that has none yet: a cut is
 * never loosened while a peer is between two IPs.
 */
export function resolveCut(
  names: { cut: readonly string[]; inFrom: readonly string[] },
  ipOf: ReadonlyMap<string, string | undefined>,
  before: NamedCut | undefined,
): NamedCut {
  const pick = (list: readonly string[], prev: Record<string, string> | undefined): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const n of list) {
      const ip = ipOf.get(n) ?? prev?.[n];
      if (ip) out[n] = ip;
    }
    return out;
  };
  return { cut: pick(names.cut, before?.cut), inFrom: pick(names.inFrom, before?.inFrom) };
}

const ips = (r: Record<string, string>): string[] => [...new Set(Object.values(r))].sort();
const minus = (a: readonly string[], b: readonly string[]): string[] => a.filter((x) => !b.includes(x));

/** The IPs to add and to remove to go from `before` to `after`; undefined when nothing changes. */
export function cutChange(
  before: NamedCut,
  after: NamedCut,
): { add: { peers: string[]; inFrom: string[] }; remove: { peers: string[]; inFrom: string[] } } | undefined {
  const [b1, b2, a1, a2] = [ips(before.cut), ips(before.inFrom), ips(after.cut), ips(after.inFrom)];
  const add = { peers: minus(a1, b1), inFrom: minus(a2, b2) };
  const remove = { peers: minus(b1, a1), inFrom: minus(b2, a2) };
  const n = add.peers.length + add.inFrom.length + remove.peers.length + remove.inFrom.length;
  return n === 0 ? undefined : { add, remove };
}

export const cutIps = ips;
