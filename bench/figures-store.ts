// The committed figures: bench/results/<YYYY-MM-DD>/<name>/runs/<run-id>.json (one run's raw
// numbers, bench/figures-run.ts) and aggregate.json (how they were measured, and the merged
// figures). Every measured table in the docs is rendered from these files (figures-docs.ts).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CheckInput } from '../lib/checks/api.ts';
import type { RunResult } from '../lib/run/results-schema.ts';
import { merge, type WorkloadFigures } from './figures-data.ts';
import { type RunData, type RunFigures, runFigures } from './figures-run.ts';

export const RESULTS_ROOT = path.join(import.meta.dirname, 'results');
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface SetMeta {
  name: string;
  workload: string;
  date: string;
  /** The machine and cluster, in one sentence. */
  machine: string;
  /** The command line that produced the runs. */
  command: string;
}

export interface StoredSet {
  meta: SetMeta;
  runs: RunFigures[];
  figures: WorkloadFigures;
}

/** Every run of `workload` under the report directories (`<dir>/<run-id>/results.json`), oldest first; `ids` keeps only those. */
export function collectRuns(dirs: readonly string[], workload: string, ids?: ReadonlySet<string>): RunData[] {
  const runs: RunData[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) throw new Error(`no such report directory: ${dir}`);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      // `latest` is a symlink to a run already listed.
      if (!entry.isDirectory() || (ids && !ids.has(entry.name))) continue;
      const file = path.join(dir, entry.name, 'results.json');
      if (!existsSync(file)) continue;
      const results = JSON.parse(readFileSync(file, 'utf8')) as RunResult;
      if (results.workload.kind !== workload) continue;
      const tl = path.join(dir, entry.name, 'timeline.json');
      const input = existsSync(tl) ? (JSON.parse(readFileSync(tl, 'utf8')) as CheckInput) : undefined;
      runs.push({ results, ...(input ? { input } : {}) });
    }
  }
  return runs.sort((a, b) => a.results.startedAt.localeCompare(b.results.startedAt));
}

/** This machine and the runs' cluster in one sentence (the runs must be this machine's). */
export function describeMachine(runs: readonly RunFigures[]): string {
  const first = runs[0];
  const last = runs.at(-1);
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const s = first?.setup;
  return [
    `Measured ${first?.startedAt.slice(0, 16).replace('T', ' ')} – ${last?.finishedAt.slice(0, 16).replace('T', ' ')} UTC`,
    `on ${os.cpus().length} × ${cpu} with ${Math.round(os.totalmem() / 2 ** 30)} GiB,`,
    `Kubernetes ${s?.kubernetes} with ${s?.nodes} nodes, ordinal ${s?.tool};`,
    `${s?.replicas} replicas, ${s?.rounds} rounds per run, chaos ${s?.chaos.join(',')}.`,
  ].join(' ');
}

/** JSON with arrays of plain values on one line: the per-run files stay short to read and diff. */
export function stableJson(v: unknown): string {
  const fmt = (x: unknown, pad: string): string => {
    if (x === null || typeof x !== 'object') return JSON.stringify(x) ?? 'null';
    const inner = `${pad}  `;
    if (Array.isArray(x)) {
      if (x.every((e) => e === null || typeof e !== 'object')) return `[${x.map((e) => JSON.stringify(e)).join(', ')}]`;
      return `[\n${x.map((e) => `${inner}${fmt(e, inner)}`).join(',\n')}\n${pad}]`;
    }
    const entries = Object.entries(x).filter(([, e]) => e !== undefined);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, e]) => `${inner}${JSON.stringify(k)}: ${fmt(e, inner)}`).join(',\n')}\n${pad}}`;
  };
  return `${fmt(v, '')}\n`;
}

const setDir = (root: string, date: string, name: string): string => path.join(root, date, name);

/** Writes the set (replacing an earlier one of the same date and name) and returns it. */
export function writeSet(root: string, meta: Omit<SetMeta, 'machine'> & { machine?: string }, data: readonly RunData[]): StoredSet {
  if (!DATE.test(meta.date)) throw new Error(`figures: date must be YYYY-MM-DD, got ${JSON.stringify(meta.date)}`);
  if (!NAME.test(meta.name))
    throw new Error(`figures: name must be lower-case letters, digits and dashes, got ${JSON.stringify(meta.name)}`);
  const runs = data.map(runFigures);
  const full: SetMeta = { ...meta, machine: meta.machine ?? describeMachine(runs) };
  const dir = setDir(root, meta.date, meta.name);
  rmSync(path.join(dir, 'runs'), { recursive: true, force: true });
  mkdirSync(path.join(dir, 'runs'), { recursive: true });
  for (const r of runs) writeFileSync(path.join(dir, 'runs', `${r.runId}.json`), stableJson(r));
  const figures = merge(meta.workload, runs);
  writeFileSync(path.join(dir, 'aggregate.json'), stableJson({ ...full, figures }));
  return { meta: full, runs, figures };
}

/** A committed set as stored: its runs (oldest first) and aggregate.json, not recomputed. */
export function readSet(root: string, date: string, name: string): StoredSet {
  const dir = setDir(root, date, name);
  const agg = JSON.parse(readFileSync(path.join(dir, 'aggregate.json'), 'utf8')) as SetMeta & { figures: WorkloadFigures };
  const runs = readdirSync(path.join(dir, 'runs'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(path.join(dir, 'runs', f), 'utf8')) as RunFigures)
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const { figures, ...meta } = agg;
  return { meta, runs, figures };
}

/** `<date>/<name>` as given, or `<name>` alone: the newest date that has it. */
export function resolveRef(root: string, ref: string): { date: string; name: string } {
  const [a, b] = ref.split('/');
  if (b !== undefined && a !== undefined) {
    if (!existsSync(path.join(setDir(root, a, b), 'aggregate.json'))) throw new Error(`figures: no ${ref} under ${root}`);
    return { date: a, name: b };
  }
  const dates = existsSync(root)
    ? readdirSync(root)
        .filter((d) => DATE.test(d) && existsSync(path.join(root, d, ref, 'aggregate.json')))
        .sort()
    : [];
  const date = dates.at(-1);
  if (date === undefined) throw new Error(`figures: no ${ref} under ${root}`);
  return { date, name: ref };
}
