// Judging loss and bandwidth from what the measurements inside the pod print (pure), and
// the delay refusal, which must refuse whatever the nodes said.
import { expect } from 'chai';
import { TBF_HANDLE } from '../../../lib/agent/bandwidth.ts';
import {
  CONTROL_ATTEMPTS,
  connectsScript,
  hasTbf,
  impliedLossPercent,
  LOSS_ATTEMPTS,
  lossGoneProblem,
  lossMeasure,
  lossProblem,
  measuredKbit,
  offerBytes,
  tally,
  TRANSFER_S,
  transferProblem,
  unshapedProblem,
} from '../../../lib/chaos/net-confirm.ts';
import { delayRefusal } from '../../../lib/chaos/disruptions/delay.ts';
import { DISRUPTIONS, parseDisruptions } from '../../../lib/chaos/disruptions/index.ts';

const P1 = '10.0.0.2';
const P2 = '10.0.0.3';
const API = '10.96.0.1';
/** The script's lines for `ok` successes and `bad` failures to `ip`. */
const lines = (ip: string, ok: number, bad: number): string[] => [
  ...Array.from({ length: ok }, () => `${ip} 0`),
  ...Array.from({ length: bad }, () => `${ip} 1`),
];
const out = (...groups: string[][]): string => groups.flat().join('\n');

describe('loss: measured from inside the pod', () => {
  it('the script tries each target the given number of times, at once, with its own connect timeout', () => {
    const s = connectsScript([
      { t: { ip: P1, port: '2379' }, n: 20, w: 1 },
      { t: { ip: P2, port: '2380' }, n: 5, w: 2 },
    ]);
    expect(s).to.include('while [ $i -lt 20 ]');
    expect(s).to.include(`nc -w 1 ${P1} 2379`);
    expect(s).to.include('while [ $i -lt 5 ]');
    expect(s).to.include(`nc -w 2 ${P2} 2380`);
    expect(s.trim().endsWith('wait')).to.equal(true);
  });

  it('tallies attempts and failures per address, ignoring lines that are not "<ip> <rc>"', () => {
    const t = tally(`${P1} 0\n${P1} 1\n${P2} 0\nnc: bad address\n\n${P1} 0`);
    expect(t.get(P1)).to.deep.equal({ tried: 3, failed: 1 });
    expect(t.get(P2)).to.deep.equal({ tried: 1, failed: 0 });
  });

  it('confirms a loss clearly above zero to the peers while every connect to the control works', () => {
    const t = tally(out(lines(P1, 14, 6), lines(P2, 12, 8), lines(API, CONTROL_ATTEMPTS, 0)));
    expect(lossProblem(t, [P1, P2], 'the API server')).to.equal(undefined);
    expect(lossMeasure(t, [P1, P2])).to.deep.equal({ tried: 40, failed: 14, failedPercent: 35, impliedLossPercent: 19 });
  });

  it('does not confirm a loss that did not happen: too few failures, every attempt failing (a cut), or the control hurt too', () => {
    const few = tally(out(lines(P1, 19, 1), lines(P2, 19, 1), lines(API, 5, 0)));
    expect(lossProblem(few, [P1, P2], 'the API server')).to.match(/2 of 40 connection attempts to the peers failed \(at least 3/);
    const cut = tally(out(lines(P1, 0, 20), lines(P2, 0, 20), lines(API, 5, 0)));
    expect(lossProblem(cut, [P1, P2], 'the API server')).to.match(/a cut, not a loss/);
    const down = tally(out(lines(P1, 10, 10), lines(P2, 10, 10), lines(API, 3, 2)));
    expect(lossProblem(down, [P1, P2], 'the API server')).to.match(/2 of 5 attempts to the uncut control the API server failed too/);
    const short = tally(out(lines(P1, 10, 5), lines(P2, 10, 10), lines(API, 5, 0)));
    expect(lossProblem(short, [P1, P2], 'the API server')).to.match(/not every attempt to 10\.0\.0\.2 reported \(15 of 20\)/);
    const noControl = tally(out(lines(P1, 10, 10), lines(P2, 10, 10)));
    expect(lossProblem(noControl, [P1, P2], 'the API server')).to.match(/uncut control/);
  });

  it('confirms the heal only when every attempt to every peer connects', () => {
    expect(lossGoneProblem(tally(out(lines(P1, LOSS_ATTEMPTS, 0), lines(P2, LOSS_ATTEMPTS, 0))), [P1, P2])).to.equal(undefined);
    expect(lossGoneProblem(tally(out(lines(P1, 19, 1), lines(P2, 20, 0))), [P1, P2])).to.equal('peer 10.0.0.2: 1 of 20 attempts failed');
    expect(lossGoneProblem(tally(out(lines(P1, 20, 0))), [P1, P2])).to.equal('peer 10.0.0.3: 0 of 0 attempts failed');
  });

  it('derives the per-packet loss from the share of failed connects (SYN and SYN-ACK must both pass)', () => {
    expect(impliedLossPercent(0)).to.equal(0);
    expect(impliedLossPercent(0.51)).to.equal(30);
    expect(impliedLossPercent(1)).to.equal(100);
  });
});

describe('bandwidth: measured from inside the pod', () => {
  it("sees the agent's tbf in tc's listing inside the pod, and only that", () => {
    expect(hasTbf(`qdisc noqueue 0: dev lo root refcnt 2\nqdisc tbf ${TBF_HANDLE} dev eth0 root refcnt 2 rate 256Kbit`)).to.equal(true);
    expect(hasTbf('qdisc noqueue 0: dev eth0 root refcnt 2')).to.equal(false);
    expect(hasTbf('qdisc tbf 1: dev eth0 root refcnt 2 rate 256Kbit')).to.equal(false);
  });

  it('confirms a transfer held to the rate, and refuses one that was not shaped or did not arrive', () => {
    const rate = 256;
    const burst = 4096;
    const atRate = (rate * 1000 * TRANSFER_S) / 8;
    expect(transferProblem(atRate, rate, burst)).to.equal(undefined);
    expect(transferProblem(offerBytes(rate, burst), rate, burst)).to.match(/more than the 256 kbit\/s pipe passes/);
    expect(transferProblem(0, rate, burst)).to.match(/no byte/);
    expect(transferProblem(Number.NaN, rate, burst)).to.match(/no byte/);
    expect(measuredKbit(atRate)).to.equal(rate);
  });

  it('confirms the heal only when a transfer moves more than the pipe would pass', () => {
    const rate = 256;
    const burst = 4096;
    expect(unshapedProblem(offerBytes(rate, burst), rate, burst)).to.equal(undefined);
    expect(unshapedProblem((rate * 1000 * TRANSFER_S) / 8, rate, burst)).to.match(/still no more than the 256 kbit\/s pipe passes/);
    expect(unshapedProblem(0, rate, burst)).to.match(/no byte/);
  });
});

describe('the new disruptions in the registry, and delay refused', () => {
  it('loss and bandwidth are known to --chaos with seeded percent, rate and hold; all three leave the pod unaffected', () => {
    expect(parseDisruptions('bandwidth,loss')).to.deep.equal(['loss', 'bandwidth']);
    expect(Object.keys(DISRUPTIONS.loss.params ?? {})).to.deep.equal(['percent', 'hold']);
    expect(DISRUPTIONS.loss.params?.percent).to.deep.include({ min: 20, max: 50 });
    expect(Object.keys(DISRUPTIONS.bandwidth.params ?? {})).to.deep.equal(['rateKbit', 'hold']);
    for (const d of ['loss', 'bandwidth', 'delay'] as const) expect(DISRUPTIONS[d].expect).to.equal('unaffected');
  });

  it('delay is refused whatever the nodes said: no netem, no entry, or netem present but delay not applied', () => {
    const node = (ok: boolean): string =>
      JSON.stringify({ at: 1, probes: { netem: ok ? { ok } : { ok, seen: 'Error: Specified qdisc kind is unknown.' } } });
    expect(delayRefusal({ '10.200.1.1': node(false) })).to.equal(
      "delay needs the netem qdisc, and no node's kernel has it (the agents' probe: 10.200.1.1: Error: Specified qdisc kind is unknown.)",
    );
    expect(delayRefusal(undefined)).to.match(/^delay needs to know whether the nodes can do netem/);
    expect(delayRefusal({ a: node(true), b: node(false) })).to.match(
      /^delay is not applied by this Ordinal yet .*node\(s\) a have sch_netem/,
    );
  });
});
