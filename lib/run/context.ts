// What every phase of a run works with (lib/run/phases/): one object, built once in
// lib/run/execute.ts, instead of each phase taking its own list of parameters. `state`
// carries what one phase leaves for the next (the revision, the snapshots, the rounds).
import type { Canary } from '../observe/canary.ts';
import type { Cluster } from '../cluster.ts';
import type { DnsProbe } from '../probes/dns.ts';
import type { Recorder } from '../observe/recorder.ts';
import type { TrafficSession } from '../traffic/session.ts';
import type { TrafficRecord } from '../traffic/records.ts';
import type { RoundResult } from '../model.ts';
import type { Snapshot } from '../probes/records.ts';
import type { UpdateSession } from '../update/session.ts';
import type { RunOptions, RunPhase } from './options.ts';
import type { RunPlan } from './plan.ts';
import type { Subject } from './subject/subject.ts';

export interface RunState {
  /** The controller revision every pod runs after the rollout. */
  revision?: string;
  dns?: DnsProbe;
  canary?: Canary;
  baseline?: Snapshot;
  traffic?: TrafficSession;
  /** The update phase (--update), when the plan has one; its steps start at their rounds' start. */
  update?: UpdateSession;
  rounds: RoundResult[];
  after?: Snapshot;
  written?: TrafficRecord;
  /** Whether the final scale-down finished (the retention phase judges only then). */
  scaled: boolean;
}

export interface RunContext {
  runId: string;
  cluster: Cluster;
  recorder: Recorder;
  subject: Subject;
  plan: RunPlan;
  options: RunOptions;
  log: (line: string) => void;
  /** Calls the options' hook (fault tests plant faults there) at a phase boundary. */
  hook: (phase: RunPhase, round?: number) => Promise<void>;
  /** Each wait's budget, from the plan. */
  timeouts: RunPlan['budget'];
  state: RunState;
}

/** One step of a run: deploy, rollout, baseline, rounds, after, scale-down, retention. */
export type Phase = (ctx: RunContext) => Promise<void>;
