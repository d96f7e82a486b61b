// An update phase appended to buildWebInput's recording (3 web pods at REVISION), in
// the shape of the update markers (lib/timeline/entries.ts): update-start -> update-revision ->
// update-complete per step, the controller's replacements (terminating -> DELETED ->
// ADDED at a revision -> Running -> Ready), the run's kills and operator deletions.
// Tests script a correct run, then plant one violation in it.
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { MarkerOf, MarkerPayload, PodState, TimelineEntry, WatchEntry } from '../../../lib/timeline/entries.ts';
import { REVISION, buildWebInput, ipOf, uidOf, type WebScenario } from './timeline-builder.ts';

export const OLD = REVISION;
export const NEW = 'web-5f4d8c7b9';

type StartOpts = Partial<Omit<MarkerOf<'update-start'>, 'type' | 'seq' | 't' | 'wall' | 'marker'>>;

export class UpdateScript {
  readonly input: CheckInput;
  t: number;
  readonly #offset: number; // wall - t
  readonly #live = new Map<string, PodState>();
  readonly #gens = new Map<string, number>();

  constructor(scenario: WebScenario = {}) {
    this.input = buildWebInput({ ...scenario, scaleDownTo: null });
    const last = this.input.timeline.at(-1) as TimelineEntry;
    this.t = last.t;
    this.#offset = last.wall - last.t;
    for (const e of this.input.timeline) {
      if (e.type === 'MARKER' || e.kind !== 'Pod' || !e.pod) continue;
      // uidOf(name, generation) ends in the generation number.
      this.#gens.set(e.name, Math.max(this.#gens.get(e.name) ?? 0, Number(e.pod.uid.split('-').at(-1)) + 1));
      if (e.type === 'DELETED') this.#live.delete(e.name);
      else this.#live.set(e.name, e.pod);
    }
  }

  tick(ms: number): this {
    this.t += ms;
    return this;
  }

  marker(payload: MarkerPayload): this {
    this.tick(10);
    this.input.timeline.push({ ...this.#stamp(), type: 'MARKER', ...payload });
    return this;
  }

  pod(type: WatchEntry['type'], name: string, patch: Partial<PodState>): this {
    this.tick(40);
    const state = { ...(type === 'ADDED' ? {} : this.#live.get(name)), ...patch } as PodState;
    if (type === 'DELETED') this.#live.delete(name);
    else this.#live.set(name, state);
    const stamp = this.#stamp();
    this.input.timeline.push({ ...stamp, type, kind: 'Pod', name, resourceVersion: String(5000 + stamp.seq), pod: state });
    return this;
  }

  uid(ordinal: number): string {
    return this.#live.get(`web-${ordinal}`)?.uid ?? '';
  }

  start(step: 'forward' | 'rollback', o: StartOpts = {}): this {
    const from = o.from ?? (step === 'forward' ? OLD : NEW);
    return this.marker({
      marker: 'update-start',
      step,
      mode: o.mode ?? (step === 'rollback' ? 'rollback' : 'template'),
      strategy: o.strategy ?? 'RollingUpdate',
      partition: o.partition ?? 0,
      ...(o.maxUnavailable !== undefined ? { maxUnavailable: o.maxUnavailable } : {}),
      from,
    });
  }

  revision(step: 'forward' | 'rollback', to: string): this {
    return this.marker({ marker: 'update-revision', step, to });
  }

  complete(step: 'forward' | 'rollback', extra: { converged?: boolean; aborted?: string; unobserved?: string } = {}): this {
    return this.marker({
      marker: 'update-complete',
      step,
      converged: extra.converged ?? (extra.aborted === undefined && extra.unobserved === undefined),
      ...extra,
    });
  }

  /** The pod goes: deletionTimestamp, not ready, DELETED (nothing says who did it). */
  terminate(ordinal: number): this {
    return this.startTerminating(ordinal).tick(300).gone(ordinal);
  }

  startTerminating(ordinal: number): this {
    return this.pod('MODIFIED', `web-${ordinal}`, { deletionTimestamp: new Date(this.t + this.#offset).toISOString() });
  }

  gone(ordinal: number): this {
    return this.pod('MODIFIED', `web-${ordinal}`, { ready: false }).pod('DELETED', `web-${ordinal}`, {});
  }

  /** The controller creates the next generation at `revision` and the kubelet walks it to Ready (unless `ready` is false). */
  recreate(ordinal: number, revision: string, ready = true): this {
    const name = `web-${ordinal}`;
    const gen = this.#gens.get(name) ?? 0;
    this.#gens.set(name, gen + 1);
    this.pod('ADDED', name, {
      uid: uidOf(name, gen),
      phase: 'Pending',
      ready: false,
      hostname: name,
      subdomain: 'nginx',
      revision,
      claims: { www: `www-web-${ordinal}` },
    });
    this.tick(600);
    this.pod('MODIFIED', name, { phase: 'Running', ip: ipOf(ordinal, gen), node: 'ordinal-worker' });
    if (!ready) return this;
    this.tick(800);
    return this.readyNow(ordinal);
  }

  readyNow(ordinal: number): this {
    const readySince = new Date(Math.floor((this.t + this.#offset) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    return this.pod('MODIFIED', `web-${ordinal}`, { ready: true, readySince });
  }

  /** The controller's update replacement of one pod: deleted, back at `revision`, Ready. */
  replace(ordinal: number, revision: string): this {
    return this.terminate(ordinal).recreate(ordinal, revision);
  }

  /** A chaos kill (API delete) of the pod during the update. */
  kill(ordinal: number): this {
    const name = `web-${ordinal}`;
    this.marker({ marker: 'kill', round: 9, pod: name, uid: this.uid(ordinal), action: 'delete', expect: 'replaced', restartCount: 0 });
    return this.terminate(ordinal);
  }

  /** OnDelete: the harness deletes the pod as an operator would. */
  operatorDelete(ordinal: number): this {
    this.marker({ marker: 'operator-delete', pod: `web-${ordinal}`, uid: this.uid(ordinal) });
    return this.terminate(ordinal);
  }

  gap(from: number, to: number): this {
    return this.marker({ marker: 'watch-gap', kind: 'Pod', from, to, reason: 'watch closed (test)' });
  }

  #stamp(): { seq: number; t: number; wall: number } {
    return { seq: (this.input.timeline.at(-1)?.seq ?? 0) + 1, t: this.t, wall: this.t + this.#offset };
  }
}

/** A correct RollingUpdate of web-2..web-<partition> to NEW, highest first. */
export function rollingForward(s: UpdateScript, o: StartOpts = {}): UpdateScript {
  s.start('forward', o).tick(100).revision('forward', NEW);
  for (let k = 2; k >= (o.partition ?? 0); k--) s.tick(200).replace(k, NEW);
  return s.tick(100).complete('forward');
}

/** A correct OnDelete update: the harness deletes web-2, web-1, web-0 and each comes back at NEW. */
export function onDeleteForward(s: UpdateScript): UpdateScript {
  s.start('forward', { strategy: 'OnDelete' }).tick(100).revision('forward', NEW);
  for (let k = 2; k >= 0; k--) s.tick(200).operatorDelete(k).recreate(k, NEW);
  return s.tick(100).complete('forward');
}

/** A correct rollback of a full RollingUpdate: web-2, web-1, web-0 back to OLD, highest first. */
export function rollingBack(s: UpdateScript, o: StartOpts = {}): UpdateScript {
  s.start('rollback', { from: NEW, ...o })
    .tick(100)
    .revision('rollback', OLD);
  for (let k = 2; k >= (o.partition ?? 0); k--) s.tick(200).replace(k, OLD);
  return s.tick(100).complete('rollback');
}

export const build = (s: UpdateScript): CheckInput => s.input;
