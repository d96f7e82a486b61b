import { expect } from 'chai';
import { describeRound, planRounds } from '../../../lib/chaos/plan.ts';
import { cutPairs, isCut, podsInvolved, SHAPES, shapeAt, shapePlan } from '../../../lib/chaos/partition-shape.ts';

const three = ['etcd-0', 'etcd-1', 'etcd-2'];
const five = ['etcd-0', 'etcd-1', 'etcd-2', 'etcd-3', 'etcd-4'];
const CLIENT = 'ordinal-traffic';

/** Every pair of pods (unordered) and whether the plan cuts it. */
const matrix = (pods: readonly string[], plan: ReturnType<typeof shapePlan>): string[] =>
  pods.flatMap((a, i) => pods.slice(i + 1).map((b) => `${a}-${b}:${isCut(plan, a, b) ? 'cut' : 'open'}`));

describe('partition shapes', () => {
  it('names five shapes by index, and refuses an index outside them', () => {
    expect(SHAPES).to.deep.equal(['isolate', 'halves', 'bridge', 'one-way', 'client']);
    expect(shapeAt(2)).to.equal('bridge');
    expect(() => shapeAt(5)).to.throw(/not one of 0..4/);
  });

  it('isolate: the pod cut from every peer, rules in the pod alone', () => {
    const p = shapePlan('isolate', 'etcd-1', three, 0);
    expect(p.requests).to.deep.equal([{ pod: 'etcd-1', both: ['etcd-0', 'etcd-2'], inFrom: [] }]);
    expect(matrix(three, p)).to.deep.equal(['etcd-0-etcd-1:cut', 'etcd-0-etcd-2:open', 'etcd-1-etcd-2:cut']);
  });

  it('halves: floor(n/2) pods with the target cut off from the rest, rules in the minority only; the pick chooses who joins', () => {
    const seen = new Set<string>();
    for (let pick = 0; pick < 40; pick++) {
      const p = shapePlan('halves', 'etcd-3', five, pick);
      const [minority = [], majority = []] = p.sides;
      expect(minority).to.have.length(2);
      expect(minority).to.include('etcd-3');
      expect(majority).to.have.length(3);
      expect(p.requests.map((r) => r.pod).sort()).to.deep.equal([...minority].sort());
      for (const a of minority) for (const b of majority) expect(isCut(p, a, b), `${a}-${b}`).to.equal(true);
      expect(isCut(p, majority[0] ?? '', majority[1] ?? '')).to.equal(false);
      expect(isCut(p, minority[0] ?? '', minority[1] ?? '')).to.equal(false);
      seen.add(minority.join());
    }
    expect(seen.size, 'different picks put different pods with the target').to.be.greaterThan(1);
  });

  it('bridge: two sides that cannot reach each other, both reaching the bridge pod', () => {
    const p = shapePlan('bridge', 'etcd-0', three, 3);
    const bridge = p.sides[0]?.at(-1) ?? '';
    expect(p.sides[1]?.[0]).to.equal(bridge);
    expect(bridge).to.not.equal('etcd-0');
    const far = three.find((x) => x !== 'etcd-0' && x !== bridge) ?? '';
    expect(isCut(p, 'etcd-0', far)).to.equal(true);
    expect(isCut(p, 'etcd-0', bridge)).to.equal(false);
    expect(isCut(p, far, bridge)).to.equal(false);
    const p5 = shapePlan('bridge', 'etcd-4', five, 11);
    const [left = [], right = []] = p5.sides;
    const b5 = left.at(-1) ?? '';
    expect(right[0]).to.equal(b5);
    for (const x of five.filter((n) => n !== b5)) expect(isCut(p5, x, b5), `${x} reaches the bridge`).to.equal(false);
    for (const a of left.slice(0, -1)) for (const b of right.slice(1)) expect(isCut(p5, a, b), `${a}-${b}`).to.equal(true);
    expect(left.length + right.length).to.equal(6);
  });

  it('one-way: the pod drops only what arrives from one peer (INPUT side); every other pair stays open', () => {
    const p = shapePlan('one-way', 'etcd-2', three, 5);
    expect(p.requests).to.have.length(1);
    const [r] = p.requests;
    expect(r?.pod).to.equal('etcd-2');
    expect(r?.both).to.deep.equal([]);
    expect(r?.inFrom).to.have.length(1);
    expect(cutPairs(p)).to.deep.equal([{ a: 'etcd-2', b: r?.inFrom[0], oneWay: true }]);
    expect(p.describe).to.match(/etcd-2 cannot receive from etcd-[01]; etcd-[01] still receives from etcd-2/);
  });

  it('client: the traffic client cut from the pod; with no client it isolates instead and says so', () => {
    const p = shapePlan('client', 'etcd-1', three, 0, CLIENT);
    expect(p.requests).to.deep.equal([{ pod: 'etcd-1', both: [CLIENT], inFrom: [] }]);
    expect(podsInvolved(p)).to.deep.equal(['etcd-1', CLIENT]);
    expect(matrix(three, p).every((x) => x.endsWith('open'))).to.equal(true);
    const none = shapePlan('client', 'etcd-1', three, 0);
    expect(none.shape).to.equal('isolate');
    expect(none.fallback).to.match(/no traffic client/);
  });

  it('a bridge needs three pods: with two it isolates and says so; a pod alone cannot be cut', () => {
    const p = shapePlan('bridge', 'web-0', ['web-0', 'web-1'], 0);
    expect(p.shape).to.equal('isolate');
    expect(p.fallback).to.match(/2 pods cannot have a bridge/);
    expect(() => shapePlan('isolate', 'web-0', ['web-0'], 0)).to.throw(/no other pod/);
  });

  it('is a function of its inputs alone: the same pick gives the same shape', () => {
    for (const s of SHAPES) expect(shapePlan(s, 'etcd-2', five, 77, CLIENT)).to.deep.equal(shapePlan(s, 'etcd-2', five, 77, CLIENT));
  });

  it('the seeded plan draws a shape and a pick per partition, and --dry-run names the shape', () => {
    const plans = planRounds({ seed: 7, statefulSet: 'etcd', replicas: 3, rounds: 3, actions: ['partition'] });
    const line = describeRound(plans[0] as (typeof plans)[number]);
    expect(line).to.match(/etcd-\d \(partition hold=\d+s shape=(isolate|halves|bridge|one-way|client) pick=\d+\)/);
    const drawn = new Set<number>();
    for (let seed = 0; seed < 30; seed++)
      for (const r of planRounds({ seed, statefulSet: 'etcd', replicas: 3, rounds: 2, actions: ['partition'] }))
        for (const k of r.kills) drawn.add(k.params?.shape ?? -1);
    expect([...drawn].sort()).to.deep.equal([0, 1, 2, 3, 4]);
  });
});
