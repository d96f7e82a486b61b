import { expect } from 'chai';
import { CONNECT_TIMEOUT_S, parseAttempts } from '../../../lib/chaos/partition-confirm.ts';
import { ECHOES, type Expectation, inEchos, matrixProblem, oneWayProblem } from '../../../lib/chaos/partition-matrix.ts';

const slow = CONNECT_TIMEOUT_S * 1000 + 300;
const want: Expectation[] = [
  { ip: '10.0.0.2', label: 'etcd-1', expect: 'cut' },
  { ip: '10.0.0.3', label: 'etcd-2', expect: 'open' },
  { ip: '10.0.0.9', label: 'ordinal-traffic', expect: 'reachable' },
  { ip: '10.96.0.1', label: 'the API server Service', expect: 'open' },
];
const attempts = (lines: string[]) => parseAttempts(lines.join('\n'));
const good = [
  '10.0.0.2 1 nc: timed out',
  '10.0.0.3 0',
  "10.0.0.9 1 nc: can't connect to remote host (10.0.0.9): Connection refused",
  '10.96.0.1 0',
];

describe('partition confirmation, pair by pair', () => {
  it('confirms when the cut pair timed out, the uncut pairs and the API server connected, the closed port refused', () => {
    expect(matrixProblem('etcd-0', attempts(good), want, slow)).to.equal(undefined);
  });

  it('names each pair that does not hold: a cut peer that connects or answers, an uncut one that times out, an unreached client', () => {
    const bad = ['10.0.0.2 0', '10.0.0.3 1 nc: timed out', '10.0.0.9 1 nc: timed out', '10.96.0.1 0'];
    const p = matrixProblem('etcd-0', attempts(bad), want, slow) ?? '';
    expect(p).to.match(/etcd-0 → etcd-1 \(10\.0\.0\.2\) must time out \(cut\) but connected: not cut/);
    expect(p).to.match(/etcd-0 → etcd-2 \(10\.0\.0\.3\) must connect \(not cut\) but nc: timed out/);
    expect(p).to.match(/ordinal-traffic .* must be reached \(connected or refused\)/);
    const refused = ['10.0.0.2 1 Connection refused', ...good.slice(1)];
    expect(matrixProblem('etcd-0', attempts(refused), want, slow)).to.match(/etcd-1 .* must time out \(cut\) but Connection refused/);
  });

  it('does not take a quick failure for a timeout, nor a missing attempt for anything', () => {
    expect(matrixProblem('etcd-0', attempts(good), want, 300)).to.match(/ended after 300 ms, before the .* connect timeout/);
    expect(matrixProblem('etcd-0', attempts(good.slice(1)), want, slow)).to.match(/no attempt from etcd-0 to etcd-1/);
  });

  it('after the heal (every pair open) a pair still timing out is named', () => {
    const open = want.map((w) => ({ ...w, expect: w.expect === 'cut' ? ('open' as const) : w.expect }));
    expect(matrixProblem('etcd-0', attempts(['10.0.0.2 0', ...good.slice(1)]), open, 50)).to.equal(undefined);
    expect(matrixProblem('etcd-0', attempts(good), open, slow)).to.match(/etcd-1 .* must connect/);
  });

  it('reads Icmp InEchos from /proc/net/snmp, and nothing from text without it', () => {
    const snmp = [
      'Ip: Forwarding DefaultTTL',
      'Ip: 1 64',
      'Icmp: InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds InParmProbs InSrcQuenchs InRedirects InEchos InEchoReps',
      'Icmp: 7 0 0 0 0 0 0 0 5 2',
      'IcmpMsg: InType0',
    ].join('\n');
    expect(inEchos(snmp)).to.equal(5);
    expect(inEchos('Ip: 1 64')).to.equal(undefined);
    expect(inEchos('Icmp: InMsgs InEchos\nIcmp: 1 x')).to.equal(undefined);
  });

  it('confirms a one-way cut only when the echoes go out and none come in, naming what was counted', () => {
    expect(oneWayProblem('etcd-2', 'etcd-0', { atPeer: ECHOES, atDropper: 0 })).to.equal(undefined);
    expect(oneWayProblem('etcd-2', 'etcd-0', { atPeer: 0, atDropper: 0 })).to.match(
      /etcd-0 counted 0 of 3 .* from etcd-2: the way from etcd-2 to etcd-0 is not open/,
    );
    expect(oneWayProblem('etcd-2', 'etcd-0', { atPeer: ECHOES, atDropper: 3 })).to.match(
      /etcd-2 counted 3 echo requests from etcd-0: what etcd-0 sends still arrives/,
    );
  });
});
