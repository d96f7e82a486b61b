// The agent's side of loss and bandwidth, pure: what a request may hold, the iptables and
// tc argument lists it becomes, and the parsing of what ip and tc print.
import { expect } from 'chai';
import { burstBytes, defaultDev, devsWithTbf, TBF_HANDLE, tbfArgs } from '../../../lib/agent/bandwidth.ts';
import { LOSS_CHAIN, lossHealRules, lossRules, probabilityOf } from '../../../lib/agent/loss.ts';
import { capabilityProblem } from '../../../lib/agent/node-caps.ts';
import { type FaultSpec, parseSpec, specData } from '../../../lib/agent/request.ts';

const UID = '6d8623c8-8427-4334-ac76-724db61baa3d';
const loss: FaultSpec = { fault: 'loss', pod: 'etcd-1', podUid: UID, peers: ['10.244.1.3'], expires: 1_000_000, heal: false, percent: 30 };
const pipe: FaultSpec = { fault: 'bandwidth', pod: 'etcd-1', podUid: UID, peers: [], expires: 1_000_000, heal: false, rateKbit: 256 };

describe('loss and bandwidth requests (agent side)', () => {
  it('reads back what the harness writes, for both kinds', () => {
    expect(parseSpec(specData(loss))).to.deep.equal(loss);
    expect(parseSpec(specData(pipe))).to.deep.equal(pipe);
  });

  it('refuses a loss outside 1-99 %, a rate outside 8 kbit/s-1 Gbit/s, anything that is not a plain integer', () => {
    for (const percent of ['0', '100', '-5', '30.5', '30 -j ACCEPT', '', 'x'])
      expect(parseSpec({ ...specData(loss), percent }), percent).to.match(/percent must be an integer in 1\.\.99/);
    const { percent: _, ...noPercent } = specData(loss);
    expect(parseSpec(noPercent)).to.match(/percent must be/);
    for (const rateKbit of ['7', '1000001', '1e3', '256kbit', ''])
      expect(parseSpec({ ...specData(pipe), rateKbit }), rateKbit).to.match(/rateKbit must be an integer in 8\.\.1000000/);
  });

  it('refuses a loss with no peer or a peer that is not a literal IPv4 address', () => {
    for (const peers of ['[]', '["10.0.0.1 -j ACCEPT"]', '["10.0.0.256"]', 'nope'])
      expect(parseSpec({ ...specData(loss), peers }), peers).to.be.a('string');
  });

  it('turns a loss into statistic DROP rules both ways per peer in a chain of its own, jumped to from INPUT and OUTPUT', () => {
    expect(probabilityOf(30)).to.equal('0.3000');
    const rules = lossRules(['10.0.0.2', '10.0.0.3'], 30);
    expect(rules[0]).to.deep.equal(['-N', LOSS_CHAIN]);
    const drop = ['-m', 'statistic', '--mode', 'random', '--probability', '0.3000', '-j', 'DROP'];
    expect(rules.slice(1, 5)).to.deep.equal([
      ['-A', LOSS_CHAIN, '-s', '10.0.0.2', ...drop],
      ['-A', LOSS_CHAIN, '-d', '10.0.0.2', ...drop],
      ['-A', LOSS_CHAIN, '-s', '10.0.0.3', ...drop],
      ['-A', LOSS_CHAIN, '-d', '10.0.0.3', ...drop],
    ]);
    expect(rules.slice(5)).to.deep.equal([
      ['-I', 'INPUT', '1', '-j', LOSS_CHAIN],
      ['-I', 'OUTPUT', '1', '-j', LOSS_CHAIN],
    ]);
    expect(lossHealRules().map((r) => r[0])).to.deep.equal(['-D', '-D', '-F', '-X']);
    expect(LOSS_CHAIN).to.not.equal('ORDINAL-PARTITION');
  });

  it("puts the pipe on the default route's device under Ordinal's handle, with a bucket of at least a few frames", () => {
    expect(defaultDev('default via 10.244.1.1 dev eth0 \n')).to.equal('eth0');
    expect(defaultDev('')).to.equal(undefined);
    expect(defaultDev('default via 10.0.0.1 dev eth0;reboot')).to.equal(undefined);
    expect(burstBytes(128)).to.equal(4096);
    expect(burstBytes(100_000)).to.equal(1_250_000);
    expect(tbfArgs('eth0', 256)).to.deep.equal([
      'qdisc',
      'replace',
      'dev',
      'eth0',
      'root',
      'handle',
      TBF_HANDLE,
      'tbf',
      'rate',
      '256kbit',
      'burst',
      '4096',
      'latency',
      '400ms',
    ]);
  });

  it("finds only its own tbf in tc's listing (not another handle, not another kind)", () => {
    const shown = [
      'qdisc noqueue 0: dev lo root refcnt 2',
      `qdisc tbf ${TBF_HANDLE} dev eth0 root refcnt 2 rate 256Kbit burst 4Kb lat 400ms`,
      'qdisc tbf 1: dev eth1 root refcnt 2 rate 1Mbit burst 4Kb lat 50ms',
      `qdisc netem ${TBF_HANDLE} dev eth2 root refcnt 2`,
    ].join('\n');
    expect(devsWithTbf(shown)).to.deep.equal(['eth0']);
    expect(devsWithTbf('qdisc noqueue 0: dev eth0 root refcnt 2')).to.deep.equal([]);
  });
});

describe("the nodes' capabilities (agent probes, read by the preflight)", () => {
  const entry = (netem: boolean, seen = 'Error: Specified qdisc kind is unknown.'): string =>
    JSON.stringify({ at: 1, probes: { netem: netem ? { ok: true } : { ok: false, seen }, tbf: { ok: true }, statistic: { ok: true } } });

  it('passes when any node has the feature, and names each node with what its probe said when none has', () => {
    expect(capabilityProblem('tbf', { n1: entry(false) }, 'bandwidth')).to.equal(undefined);
    expect(capabilityProblem('netem', { n1: entry(false), n2: entry(true) }, 'delay')).to.equal(undefined);
    const p = capabilityProblem('netem', { n1: entry(false), n2: entry(false, 'RTNETLINK answers: No such file or directory') }, 'delay');
    expect(p).to.match(/^delay needs the netem qdisc, and no node's kernel has it/);
    expect(p).to.include('n1: Error: Specified qdisc kind is unknown.');
    expect(p).to.include('n2: RTNETLINK answers: No such file or directory');
  });

  it('refuses when no agent has published (an older agent) or the entries are unreadable, saying so', () => {
    expect(capabilityProblem('netem', undefined, 'delay')).to.match(/no node agent has said .*cannot be read/);
    expect(capabilityProblem('tbf', {}, 'bandwidth')).to.match(/no node agent has said .*has no node entry/);
    expect(capabilityProblem('statistic', { n1: 'not json', n2: '{"x":1}' }, 'loss')).to.match(/no node agent has said/);
  });
});
