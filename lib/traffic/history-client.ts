// The history client, inside its pod (`ordinal client`, from Ordinal's own image): a few
// logical clients, each bound to one etcd member and running one operation at a time over
// a keep-alive HTTP connection to that member's JSON gateway, printing every invocation
// and completion as a history.jsonl line on stdout, or in its history file when the
// harness names one (lib/traffic/history-file.ts). Lines that are not history start with
// `#`. It stops when the stop file appears (or on SIGTERM): no new operations, the ones in
// flight end (each has a timeout), a set workload reads the whole set from every member,
// then `# done`.
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { Scalar } from '../history/events.ts';
import { TIMEOUTS } from '../timeouts.ts';
import {
  casBody,
  clusterLookup,
  decodeValue,
  parseKeys,
  parseMembers,
  parseRange,
  parseWrite,
  post,
  prefixBody,
  putBody,
  rangeBody,
  Refused,
  TimedOut,
} from './etcd-gateway.ts';
import {
  completionEvent,
  invokeEvent,
  OpGenerator,
  type Outcome,
  type PlannedOp,
  Processes,
  SET_KEY,
  type TrafficWorkload,
} from './workload-ops.ts';
import { HistoryLines } from './history-lines.ts';

export interface ClientConfig {
  readonly workload: TrafficWorkload;
  readonly seed: number;
  readonly concurrency: number;
  /** Register: hot keys. */
  readonly keys: number;
  /** Every etcd key the client touches starts with this (the run's ID). */
  readonly prefix: string;
  /** Each member's pod and client URL (`http://<pod fqdn>:2379`). */
  readonly members: readonly { readonly pod: string; readonly url: string }[];
  /** Register reads: linearizable (etcd's default) or serializable (the member's own store, may be stale). */
  readonly read: 'linearizable' | 'serializable';
  readonly opTimeoutMs: number;
  readonly stopFile: string;
  /** Where the history lines go (absolute path); stdout when absent. */
  readonly historyFile?: string;
}

/** Rounds of final set reads at most, while the members disagree (a follower catching up). */
const FINAL_READS = 5;

/** The outcome of an error: refused never took effect; a timeout or other error is unknown for writes and a fail for reads. */
export function outcomeOfError(op: PlannedOp, err: unknown): Outcome {
  const error = err instanceof Error ? err.message : String(err);
  if (err instanceof Refused) return { type: 'fail', error };
  // A read changes nothing: whatever happened to it, it observed nothing the history must explain.
  if (op.f === 'read') return { type: 'fail', error };
  return { type: 'info', error: err instanceof TimedOut ? error : `unknown outcome: ${error}` };
}

class Client {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64, lookup: clusterLookup() });
  private memberPods: Record<string, string> = {};
  private stopping = false;
  private readonly gen: OpGenerator;
  private readonly procs: Processes;
  ops = 0;

  private readonly c: ClientConfig;
  private readonly out: HistoryLines;
  constructor(c: ClientConfig, write: (text: string) => void) {
    this.c = c;
    this.out = new HistoryLines(write);
    this.gen = new OpGenerator({ workload: c.workload, seed: c.seed, keys: c.keys });
    this.procs = new Processes(c.concurrency);
  }

  private podOf(member: string | undefined, addressed: string): string {
    if (member === undefined) return addressed;
    return this.memberPods[member] ?? addressed;
  }

  async refreshMembers(): Promise<void> {
    for (const m of this.c.members) {
      try {
        this.memberPods = parseMembers(await post(this.agent, m.url, '/v3/cluster/member/list', {}, this.c.opTimeoutMs));
        this.out.emit(`# members ${JSON.stringify(this.memberPods)}`);
        return;
      } catch {
        // The next member may answer.
      }
    }
  }

  /** Runs one operation against `m`; never throws. */
  private async perform(op: PlannedOp, m: { pod: string; url: string }): Promise<Outcome> {
    const key = `${this.c.prefix}/${op.key}`;
    const t = this.c.opTimeoutMs;
    try {
      if (op.f === 'read') {
        const r = parseRange(await post(this.agent, m.url, '/v3/kv/range', rangeBody(key, this.c.read === 'serializable'), t));
        return { type: 'ok', value: r.value, pod: this.podOf(r.member, m.pod) };
      }
      if (op.f === 'write' || op.f === 'add') {
        const k = op.f === 'add' ? `${this.c.prefix}/${SET_KEY}/${op.value as Scalar}` : key;
        const r = parseWrite(await post(this.agent, m.url, '/v3/kv/put', putBody(k, op.value as Scalar), t), false);
        return { type: 'ok', value: op.value, pod: this.podOf(r.member, m.pod) };
      }
      const [from, to] = op.value as readonly [Scalar | null, Scalar];
      const r = parseWrite(await post(this.agent, m.url, '/v3/kv/txn', casBody(key, from, to), t), true);
      const pod = this.podOf(r.member, m.pod);
      return r.succeeded ? { type: 'ok', value: op.value, pod } : { type: 'fail', pod, error: 'compare failed' };
    } catch (err) {
      return outcomeOfError(op, err);
    }
  }

  private async loop(client: number): Promise<void> {
    const m = this.c.members[client % this.c.members.length]!;
    while (!this.stopping) {
      const op = this.gen.op();
      const process = this.procs.process(client);
      this.out.event(invokeEvent(process, op, this.out.now(), m.pod));
      const out = await this.perform(op, m);
      this.out.event(completionEvent(process, op, out, this.out.now()));
      this.ops++;
      this.procs.completed(client, out.type);
      // A member that refuses is down: pause rather than spin on it.
      if (out.type !== 'ok' && out.error !== 'compare failed') await sleep(TIMEOUTS.clientBackoff);
    }
  }

  /** Set: every member's elements from its own store (serializable), read again while they disagree. */
  private async finalReads(): Promise<void> {
    const prefix = `${this.c.prefix}/${SET_KEY}/`;
    for (let attempt = 1; attempt <= FINAL_READS; attempt++) {
      const seen: string[] = [];
      for (const m of this.c.members) {
        const process = this.procs.process(0);
        const op: PlannedOp = { f: 'read', key: SET_KEY, value: null };
        this.out.event(invokeEvent(process, op, this.out.now(), m.pod));
        let out: Outcome;
        try {
          const r = parseKeys(await post(this.agent, m.url, '/v3/kv/range', prefixBody(prefix, true), this.c.opTimeoutMs), prefix);
          const elements = r.keys.map(decodeValue).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          out = { type: 'ok', value: elements, pod: this.podOf(r.member, m.pod) };
          seen.push(JSON.stringify(elements));
        } catch (err) {
          out = outcomeOfError(op, err);
          seen.push('');
        }
        this.out.event(completionEvent(process, op, out, this.out.now()));
      }
      if (seen.every((s) => s !== '' && s === seen[0])) return;
      await sleep(TIMEOUTS.clientFinalReadPause);
    }
  }

  async run(): Promise<void> {
    this.out.emit(
      `# start ${JSON.stringify({ workload: this.c.workload, concurrency: this.c.concurrency, read: this.c.read, members: this.c.members.map((m) => m.pod) })}`,
    );
    await this.refreshMembers();
    const stop = (): void => {
      this.stopping = true;
    };
    process.once('SIGTERM', stop);
    const poll = setInterval(() => {
      if (existsSync(this.c.stopFile)) stop();
    }, TIMEOUTS.clientStopPoll);
    const progress = setInterval(() => this.out.emit(`# ops ${this.ops}`), TIMEOUTS.clientProgressEvery);
    await Promise.all(Array.from({ length: this.c.concurrency }, (_, i) => this.loop(i)));
    clearInterval(poll);
    clearInterval(progress);
    if (this.c.workload === 'set') await this.finalReads();
    this.out.done(this.ops);
    this.agent.destroy();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs the client until stopped; history lines go to `write`. */
export async function runHistoryClient(c: ClientConfig, write: (text: string) => void): Promise<number> {
  const client = new Client(c, write);
  await client.run();
  return client.ops;
}
