// The shapes a partition takes, as Jepsen's nemesis names them (jepsen.nemesis:
// partition-random-node, partition-random-halves, partition-majorities-ring's bridge,
// one-way drops, and the client cut off from one node). The seeded plan draws a shape
// and a `pick` per partition; this turns them, with the target pod and the StatefulSet's
// pods, into fault requests: which pod's network namespace takes DROP rules against
// which pods. Rules go into as few pods as the shape allows (the smaller side of a
// split), each cutting both directions, except the one-way cut, which drops only what
// arrives. Pure: no cluster.
import { createPrng } from '../prng.ts';

export const SHAPES = ['isolate', 'halves', 'bridge', 'one-way', 'client'] as const;
export type Shape = (typeof SHAPES)[number];

/**
 * --partition-shape: `seeded` (the plan's draw), one shape for every partition, or
 * `isolate-leader` (etcd: the leadership moved to the planned pod, then that pod isolated).
 */
export const SHAPE_OPTIONS = ['seeded', ...SHAPES, 'isolate-leader'] as const;
export type ShapeOption = (typeof SHAPE_OPTIONS)[number];

/**
 * A partition's drawn params with --partition-shape applied: the shape replaced (the draw
 * still happens, so every other value of the seed stays), `leader: 1` for isolate-leader.
 */
export function fixShape(params: Readonly<Record<string, number>>, option: ShapeOption): Record<string, number> {
  if (option === 'seeded') return { ...params };
  const shape = option === 'isolate-leader' ? 'isolate' : option;
  return { ...params, shape: SHAPES.indexOf(shape), ...(option === 'isolate-leader' ? { leader: 1 } : {}) };
}

/** What the shapes mean, for --help and docs/disruptions.md. */
export const SHAPE_MEANING: Readonly<Record<Shape, string>> = {
  isolate: 'the pod cut off from every peer',
  halves: 'a minority (the pod and seeded others, floor(n/2) pods) cut off from the majority',
  bridge: 'two halves that cannot reach each other, both reaching one seeded bridge pod',
  'one-way': 'the pod drops what arrives from one seeded peer, which still receives from it',
  client: 'the traffic client cut off from the pod',
};

/** One fault request: rules in `pod`'s network namespace against other pods, by name. */
export interface CutRequest {
  pod: string;
  /** Dropped in both directions (INPUT from them, OUTPUT to them). */
  both: string[];
  /** Dropped only as they arrive (INPUT): the pod still sends to them. */
  inFrom: string[];
}

export interface ShapePlan {
  shape: Shape;
  /** The groups Jepsen would name: the two sides of a split (a bridge pod is in both). */
  sides: string[][];
  requests: CutRequest[];
  /** One line: who cannot reach whom. */
  describe: string;
  /** Why the shape drawn could not be taken here, and what was taken instead. */
  fallback?: string;
}

/** A pair of pods whose connections fail (either of them drops the other's packets). */
export interface CutPair {
  a: string;
  b: string;
  /** `a` drops only what arrives from `b`; `b` still receives from `a`. */
  oneWay: boolean;
}

/** The shape a drawn index names (the plan draws an index: params are integers). */
export function shapeAt(index: number): Shape {
  const s = SHAPES[index];
  if (s === undefined) throw new Error(`partition shape index ${index} is not one of 0..${SHAPES.length - 1} (${SHAPES.join(', ')})`);
  return s;
}

/**
 * The shape's requests for `target` among `pods` (the StatefulSet's pods, target
 * included) and the traffic client's pod, if the run has one. `pick` seeds which other
 * pods join the target's side, which pod bridges, which peer the one-way cut drops.
 */
export function shapePlan(shape: Shape, target: string, pods: readonly string[], pick: number, client?: string): ShapePlan {
  const others = pods.filter((p) => p !== target);
  if (others.length === 0) throw new Error(`partition of ${target}: no other pod to cut it from`);
  const rng = createPrng(pick >>> 0);
  const shuffled = [...others];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j] as string, shuffled[i] as string];
  }
  if (shape === 'client' && !client)
    return { ...isolate(target, others), fallback: 'client drawn, but the run has no traffic client pod: isolate instead' };
  if (shape === 'bridge' && pods.length < 3)
    return { ...isolate(target, others), fallback: `bridge drawn, but ${pods.length} pods cannot have a bridge: isolate instead` };
  switch (shape) {
    case 'isolate':
      return isolate(target, others);
    case 'halves': {
      const minority = [target, ...shuffled.slice(0, Math.floor(pods.length / 2) - 1)];
      const majority = others.filter((p) => !minority.includes(p));
      return {
        shape,
        sides: [minority, majority],
        requests: minority.map((pod) => ({ pod, both: majority, inFrom: [] })),
        describe: `minority ${minority.join(', ')} cut off from majority ${majority.join(', ')}`,
      };
    }
    case 'bridge': {
      const [bridge = '', ...rest] = shuffled;
      const left = [target, ...rest.slice(0, Math.floor((pods.length - 1) / 2) - 1)];
      const right = rest.filter((p) => !left.includes(p));
      return {
        shape,
        sides: [
          [...left, bridge],
          [bridge, ...right],
        ],
        requests: left.map((pod) => ({ pod, both: right, inFrom: [] })),
        describe: `${left.join(', ')} cut off from ${right.join(', ')}; ${bridge} bridges both`,
      };
    }
    case 'one-way': {
      const from = shuffled[0] as string;
      return {
        shape,
        sides: [[target], [from]],
        requests: [{ pod: target, both: [], inFrom: [from] }],
        describe: `${target} cannot receive from ${from}; ${from} still receives from ${target}`,
      };
    }
    case 'client':
      return {
        shape,
        sides: [[target], [client as string]],
        requests: [{ pod: target, both: [client as string], inFrom: [] }],
        describe: `traffic client ${client} cut off from ${target}`,
      };
  }
}

function isolate(target: string, others: readonly string[]): ShapePlan {
  return {
    shape: 'isolate',
    sides: [[target], [...others]],
    requests: [{ pod: target, both: [...others], inFrom: [] }],
    describe: `${target} cut off from ${others.join(', ')}`,
  };
}

/** Every pair whose connections the shape cuts, once each, in request order. */
export function cutPairs(plan: ShapePlan): CutPair[] {
  return plan.requests.flatMap((r) => [
    ...r.both.map((b) => ({ a: r.pod, b, oneWay: false })),
    ...r.inFrom.map((b) => ({ a: r.pod, b, oneWay: true })),
  ]);
}

/** Whether a connection between `a` and `b` (either way) must fail under the shape. */
export function isCut(plan: ShapePlan, a: string, b: string): boolean {
  return cutPairs(plan).some((p) => (p.a === a && p.b === b) || (p.a === b && p.b === a));
}

/** Every pod that holds rules or is named by them. */
export function podsInvolved(plan: ShapePlan): string[] {
  return [...new Set(plan.requests.flatMap((r) => [r.pod, ...r.both, ...r.inFrom]))];
}
