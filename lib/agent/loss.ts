// `loss`: iptables rules inside the pod's network namespace that drop a share of the
// packets to and from each peer (the `statistic` match in random mode: each packet drawn
// on its own, as a lossy link drops them). Its own chain, apart from a partition's, so a
// heal of one never touches the other and a leftover is named by the chain it is in.
// Pure: the argument lists; lib/agent/net-faults.ts runs them.

export const LOSS_CHAIN = 'ORDINAL-LOSS';

/** The statistic match's probability for a percentage (iptables takes a decimal fraction). */
export const probabilityOf = (percent: number): string => (percent / 100).toFixed(4);

/** iptables argument lists (after `iptables -w`) that drop `percent` % of the packets to and from each peer. */
export function lossRules(peers: readonly string[], percent: number): string[][] {
  const drop = ['-m', 'statistic', '--mode', 'random', '--probability', probabilityOf(percent), '-j', 'DROP'];
  return [
    ['-N', LOSS_CHAIN],
    ...peers.flatMap((ip) => [
      ['-A', LOSS_CHAIN, '-s', ip, ...drop],
      ['-A', LOSS_CHAIN, '-d', ip, ...drop],
    ]),
    ['-I', 'INPUT', '1', '-j', LOSS_CHAIN],
    ['-I', 'OUTPUT', '1', '-j', LOSS_CHAIN],
  ];
}

/** iptables argument lists that remove the chain; each may fail when already gone (healing is idempotent). */
export function lossHealRules(): string[][] {
  return [
    ['-D', 'INPUT', '-j', LOSS_CHAIN],
    ['-D', 'OUTPUT', '-j', LOSS_CHAIN],
    ['-F', LOSS_CHAIN],
    ['-X', LOSS_CHAIN],
  ];
}
