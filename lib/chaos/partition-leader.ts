// etcd's leader around a partition (lib/chaos/partition-round.ts): who leads just before
// the cut, whether the shape leaves it without a majority it can reach both ways, and how
// long after the agent applied the cut a member of the majority first names a different
// leader. With --partition-shape isolate-leader the round first moves the leadership to
// the pod the plan aimed at (etcdctl move-leader), so the pod cut off is the leader.
// The logic takes an ExecFn and a clock, so it is tested with scripted answers.
import { ObservationError, describeError } from '../errors.ts';
import type { ExecFn } from '../probes/exec.ts';
import { parseEndpoints, parseMemberList } from '../probes/etcd.ts';
import type { LeaderRecord } from '../model.ts';
import { cutPairs, type ShapePlan } from './partition-shape.ts';

export type { LeaderRecord };

const CTL = ['etcdctl', '--dial-timeout=2s', '--command-timeout=2s'];

/** The pods `pod` still reaches both ways under the shape (itself included); a one-way drop fails TCP both ways. */
export function reachable(plan: ShapePlan, pod: string, pods: readonly string[]): string[] {
  const cut = cutPairs(plan);
  return pods.filter((p) => p === pod || !cut.some((c) => (c.a === pod && c.b === p) || (c.a === p && c.b === pod)));
}

/** Whether the shape leaves `leader` reaching fewer than a majority of `pods` (itself counted). */
export const leaderCutOff = (plan: ShapePlan, leader: string, pods: readonly string[]): boolean =>
  reachable(plan, leader, pods).length <= Math.floor(pods.length / 2);

/** The members other than `leader` that still reach a majority: where a new leader can be elected and named. */
export const majorityOf = (plan: ShapePlan, leader: string, pods: readonly string[]): string[] =>
  pods.filter((p) => p !== leader && !leaderCutOff(plan, p, pods));

/** What one member answers about itself: its member ID and the leader it names ('' or '0': none). */
export async function memberStatus(exec: ExecFn, pod: string, container: string, port: number): Promise<{ id: string; leader: string }> {
  const r = await exec(pod, container, [...CTL, `--endpoints=http://127.0.0.1:${port}`, 'endpoint', 'status', '-w', 'json']);
  if (r.exitCode !== 0)
    throw new ObservationError(`etcdctl endpoint status in ${pod} exited ${r.exitCode}: ${r.stderr.trim().slice(0, 200)}`);
  const e = parseEndpoints('', r.stdout)[0];
  if (!e?.memberId)
    throw new ObservationError(`etcdctl endpoint status in ${pod}: no member ID in ${JSON.stringify(r.stdout.slice(0, 160))}`);
  return { id: e.memberId, leader: e.leader === '0' ? '' : (e.leader ?? '') };
}

/** Member ID (decimal, as parseEtcdJson keeps it) → member name (the pod's name in the sample). */
export async function memberNames(exec: ExecFn, pod: string, container: string, port: number): Promise<Map<string, string>> {
  const r = await exec(pod, container, [...CTL, `--endpoints=http://127.0.0.1:${port}`, 'member', 'list', '-w', 'json']);
  if (r.exitCode !== 0) throw new ObservationError(`etcdctl member list in ${pod} exited ${r.exitCode}: ${r.stderr.trim().slice(0, 200)}`);
  return new Map(parseMemberList(r.stdout).map((m) => [m.id, m.name]));
}

/** Asks the current leader (`from`, its own endpoint) to hand the leadership to member `toId` (decimal; etcdctl takes hex). */
export async function moveLeader(exec: ExecFn, from: string, container: string, port: number, toId: string): Promise<void> {
  const hex = BigInt(toId).toString(16);
  const r = await exec(from, container, [...CTL, `--endpoints=http://127.0.0.1:${port}`, 'move-leader', hex]);
  if (r.exitCode !== 0)
    throw new ObservationError(`etcdctl move-leader ${hex} in ${from} exited ${r.exitCode}: ${r.stderr.trim().slice(0, 200)}`);
}

export interface Clock {
  now: () => number;
  pause: (ms: number) => Promise<void>;
}

/** One answer to "who leads?": asked and arrived at (wall ms), the leader named ('' none), or why none came. */
export interface Answer {
  pod: string;
  asked: number;
  arrived: number;
  leader?: string;
  error?: string;
}

/**
 * The election as the answers show it: the first arrival naming a leader other than
 * `old` bounds it from above; the latest asking answered with `old` or none, before that
 * arrival, from below (the answer was given after it was asked). Times from `cutAt`.
 */
export function electionOf(
  answers: readonly Answer[],
  old: string,
  cutAt: number,
): Pick<LeaderRecord, 'after' | 'electedMs' | 'resolutionMs' | 'note'> {
  const fresh = answers
    .filter((a) => a.leader !== undefined && a.leader !== '' && a.leader !== old)
    .sort((a, b) => a.arrived - b.arrived)[0];
  if (!fresh) {
    const last = answers.at(-1);
    const seen = last ? `${last.pod}: ${last.error ?? `named ${last.leader || 'no leader'}`}` : 'nothing asked';
    return { note: `no new leader named before the heal (${answers.length} answers; last: ${seen})` };
  }
  const before = answers.filter((a) => a.leader !== undefined && (a.leader === '' || a.leader === old) && a.asked < fresh.arrived);
  const lower = Math.max(cutAt, ...before.map((a) => a.asked));
  return { after: fresh.leader, electedMs: Math.round(fresh.arrived - cutAt), resolutionMs: Math.round(fresh.arrived - lower) };
}

/**
 * Asks the majority's members in turn, a new ask every `pauseMs` (at most `inFlight` at
 * once: under load one ask takes longer than the election), until one names a leader
 * other than `old` or `stop()` says the cut is over; then the election (electionOf).
 */
export async function awaitNewLeader(
  ask: (pod: string) => Promise<string>,
  majority: readonly string[],
  old: string,
  cutAt: number,
  stop: () => boolean,
  clock: Clock,
  pauseMs: number,
  inFlight = 4,
): Promise<Pick<LeaderRecord, 'after' | 'electedMs' | 'resolutionMs' | 'note'>> {
  if (majority.length === 0) return { note: 'no member on the majority side to ask' };
  const answers: Answer[] = [];
  const pending = new Set<Promise<void>>();
  const named = (): boolean => answers.some((a) => a.leader !== undefined && a.leader !== '' && a.leader !== old);
  for (let i = 0; !stop() && !named(); ) {
    if (pending.size < inFlight) {
      const pod = majority[i++ % majority.length] as string;
      const asked = clock.now();
      const p: Promise<void> = ask(pod).then(
        (leader) => void answers.push({ pod, asked, arrived: clock.now(), leader }),
        (err: unknown) => void answers.push({ pod, asked, arrived: clock.now(), error: describeError(err) }),
      );
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }
    await clock.pause(pauseMs);
  }
  // The asks still out may lower the bound (each ends within its exec timeout).
  await Promise.all(pending);
  return electionOf(answers, old, cutAt);
}

/** Where the leader stands before the cut, and how to time the election the cut may cause. */
export interface LeaderWatch {
  /** Starts asking the majority (when the shape cuts the leader off); `cutAt`: wall ms the agent applied the cut. */
  start(cutAt: number): void;
  /** Stops asking (the heal is asked for, or the round ends) and gives the record. */
  finish(): Promise<LeaderRecord>;
}

/**
 * Reads the leader through `target`'s member (moving the leadership to it first when
 * `move`, confirmed within `budgetMs`), then returns the watch for the election. A move
 * that cannot be confirmed is an ObservationError: the round would not cut the leader.
 */
export async function watchLeader(
  exec: ExecFn,
  w: { container: string; port: number },
  o: { target: string; pods: readonly string[]; plan: ShapePlan; move: boolean; budgetMs: number },
  clock: Clock,
  pauseMs: number,
): Promise<LeaderWatch> {
  const { container, port } = w;
  const names = await memberNames(exec, o.target, container, port);
  const name = (id: string): string => names.get(id) ?? (id === '' ? '' : `member ${id}`);
  let st = await memberStatus(exec, o.target, container, port);
  let moved = false;
  if (o.move && st.leader !== st.id) {
    const from = names.get(st.leader);
    if (!from) throw new ObservationError(`before the cut, ${o.target} names no leader among the members (leader ${st.leader || 'none'})`);
    await moveLeader(exec, from, container, port, st.id);
    moved = true;
    const until = clock.now() + o.budgetMs;
    for (;;) {
      st = await memberStatus(exec, o.target, container, port);
      if (st.leader === st.id) break;
      if (clock.now() >= until)
        throw new ObservationError(
          `moved etcd's leadership from ${from} to ${o.target}, but after ${o.budgetMs / 1000}s ${o.target} names ${name(st.leader) || 'no leader'}`,
        );
      await clock.pause(pauseMs);
    }
  }
  const before = name(st.leader);
  if (before === '') throw new ObservationError(`before the cut, ${o.target}'s member names no leader`);
  const cutOff = leaderCutOff(o.plan, before, o.pods);
  const base: LeaderRecord = { before, ...(moved ? { moved } : {}), cutOff };
  let stopped = false;
  let timing: Promise<Partial<LeaderRecord>> = Promise.resolve(cutOff ? { note: 'the cut was never applied' } : {});
  return {
    start(cutAt) {
      if (!cutOff) return;
      const ask = async (pod: string): Promise<string> => name((await memberStatus(exec, pod, container, port)).leader);
      timing = awaitNewLeader(ask, majorityOf(o.plan, before, o.pods), before, cutAt, () => stopped, clock, pauseMs).catch(
        (err: unknown) => ({ note: `asking for the leader failed: ${describeError(err)}` }),
      );
    },
    async finish() {
      stopped = true;
      return { ...base, ...(await timing) };
    },
  };
}
