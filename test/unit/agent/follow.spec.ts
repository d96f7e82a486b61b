import { expect } from 'chai';
import { cutChange, resolveCut } from '../../../lib/agent/follow.ts';
import { parseSpec, partitionRules, specData, CHAIN, faultLabel, cutRules } from '../../../lib/agent/request.ts';

const names = { cut: ['etcd-0', 'etcd-2'], inFrom: ['ordinal-traffic'] };

describe('fault request: peers by pod name, rules that follow the pods', () => {
  it('resolves each named pod to its IP now, keeping the last known one for a pod between two IPs', () => {
    const first = resolveCut(
      names,
      new Map([
        ['etcd-0', '10.0.0.1'],
        ['etcd-2', '10.0.0.3'],
        ['ordinal-traffic', '10.0.0.9'],
      ]),
      undefined,
    );
    expect(first).to.deep.equal({ cut: { 'etcd-0': '10.0.0.1', 'etcd-2': '10.0.0.3' }, inFrom: { 'ordinal-traffic': '10.0.0.9' } });
    const between = resolveCut(
      names,
      new Map([
        ['etcd-0', undefined],
        ['etcd-2', '10.0.0.3'],
      ]),
      first,
    );
    expect(between).to.deep.equal(first);
    const moved = resolveCut(
      names,
      new Map([
        ['etcd-0', '10.0.0.7'],
        ['etcd-2', '10.0.0.3'],
        ['ordinal-traffic', '10.0.0.9'],
      ]),
      between,
    );
    expect(moved.cut['etcd-0']).to.equal('10.0.0.7');
    expect(resolveCut(names, new Map(), undefined)).to.deep.equal({ cut: {}, inFrom: {} });
  });

  it('moves a cut to a new IP by adding it before removing the old, and changes nothing when nothing moved', () => {
    const before = { cut: { 'etcd-0': '10.0.0.1', 'etcd-2': '10.0.0.3' }, inFrom: {} };
    const after = { cut: { 'etcd-0': '10.0.0.7', 'etcd-2': '10.0.0.3' }, inFrom: {} };
    expect(cutChange(before, after)).to.deep.equal({
      add: { peers: ['10.0.0.7'], inFrom: [] },
      remove: { peers: ['10.0.0.1'], inFrom: [] },
    });
    expect(cutChange(before, before)).to.equal(undefined);
    expect(cutRules('-A', ['10.0.0.7'], ['10.0.0.9'])).to.deep.equal([
      ['-A', CHAIN, '-s', '10.0.0.7', '-j', 'DROP'],
      ['-A', CHAIN, '-d', '10.0.0.7', '-j', 'DROP'],
      ['-A', CHAIN, '-s', '10.0.0.9', '-j', 'DROP'],
    ]);
  });

  it('a one-way cut drops only what arrives (a -s rule, no -d rule for that peer)', () => {
    const rules = partitionRules([], ['10.0.0.9']);
    expect(rules.filter((r) => r[0] === '-A')).to.deep.equal([['-A', CHAIN, '-s', '10.0.0.9', '-j', 'DROP']]);
  });

  it('reads back peers by name, one-way peers and follow; refuses names that are not pod names', () => {
    const spec = {
      fault: 'partition' as const,
      pod: 'etcd-1',
      podUid: 'u',
      peers: [],
      peerPods: ['etcd-0'],
      inFromPods: ['etcd-2'],
      follow: true,
      expires: 9,
      heal: false,
    };
    expect(parseSpec(specData(spec))).to.deep.equal(spec);
    for (const bad of ['["-j ACCEPT"]', '["Etcd-0"]', '"etcd-0"', 'nope', '[1]'])
      expect(parseSpec({ ...specData(spec), peerPods: bad }), bad).to.be.a('string');
    expect(parseSpec({ ...specData(spec), peerPods: '[]', inFromPods: '[]' })).to.match(
      /non-empty unless peerPods or inFromPods name pods/,
    );
  });

  it('takes another fault label from ORDINAL_FAULT_LABEL only when it is a label key', () => {
    expect(faultLabel(undefined)).to.equal('ordinal.dev/fault-request');
    expect(faultLabel('ordinal.dev/fault-request-test')).to.equal('ordinal.dev/fault-request-test');
    expect(() => faultLabel('a b')).to.throw(/must be a label key/);
  });
});
