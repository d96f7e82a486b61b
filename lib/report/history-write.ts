// Finds the runs under a report directory and (re)writes <report-dir>/index.html from
// their results.json files. A file that cannot be read or is not a RunResult of this
// schema is skipped with a warning: one bad night must not hide all the others.
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CHECKS } from '../checks/catalog.ts';
import type { RunResult } from '../run/results-schema.ts';
import type { HistoryRun } from './history-grid.ts';
import { renderHistory, summarizeRun } from './history.ts';

/** The schema this tool writes; typed so a schema bump in lib/run/results-schema.ts fails here and is revisited. */
const SCHEMA_VERSION: RunResult['schemaVersion'] = 1;
/** `<dir>/<run-id>/results.json` is the layout; a little deeper allows grouping (e.g. per cluster). */
const MAX_DEPTH = 3;
const STATUSES = new Set(['passed', 'failed', 'error', 'skipped']);

export interface CollectedRuns {
  runs: HistoryRun[];
  /** One line per skipped file: its path and why. */
  warnings: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (o: Record<string, unknown>, k: string): boolean => typeof o[k] === 'string';
const num = (o: Record<string, unknown>, k: string): boolean => typeof o[k] === 'number' && Number.isFinite(o[k]);

/** Why `data` cannot be summarised as a RunResult, or undefined when it can. */
export function runResultProblem(data: unknown): string | undefined {
  if (!isObject(data)) return 'not a JSON object';
  if (data.schemaVersion !== SCHEMA_VERSION) return `schemaVersion ${JSON.stringify(data.schemaVersion)} is not ${SCHEMA_VERSION}`;
  for (const k of ['runId', 'startedAt', 'replay']) if (!str(data, k)) return `${k} is not a string`;
  for (const k of ['durationMs', 'seed']) if (!num(data, k)) return `${k} is not a number`;
  const { cluster, workload, options, checks, rounds } = data;
  if (!isObject(cluster) || !['context', 'server', 'version'].every((k) => str(cluster, k))) return 'cluster is incomplete';
  if (!isObject(workload) || !str(workload, 'kind') || !str(workload, 'statefulSet') || !num(workload, 'replicas'))
    return 'workload is incomplete';
  if (!isObject(options) || !num(options, 'rounds')) return 'options.rounds is missing';
  if (
    !Array.isArray(checks) ||
    !checks.every((c) => isObject(c) && str(c, 'id') && str(c, 'message') && STATUSES.has(c.status as string))
  ) {
    return 'checks is not a list of check results';
  }
  if (!Array.isArray(rounds) || !rounds.every((r) => isObject(r) && Array.isArray(r.recoveries) && r.recoveries.every(isObject))) {
    return 'rounds is not a list of rounds';
  }
  // The page prints the message: anything but a string (an object whose toString is null) would throw there.
  const { error } = data;
  if (error !== undefined && !(isObject(error) && str(error, 'message') && (error.detail === undefined || str(error, 'detail')))) {
    return 'error is not a message string (with an optional detail string)';
  }
  return undefined;
}

/** Every results.json under `reportDir` (symlinks such as `latest` are not followed), summarised. */
export async function collectRuns(reportDir: string): Promise<CollectedRuns> {
  const found = new Map<string, HistoryRun>();
  const warnings: string[] = [];
  const walk = async (rel: string, depth: number): Promise<void> => {
    const entries = await readdir(path.join(reportDir, rel), { withFileTypes: true });
    // Sorted so the same directory always gives the same warnings and duplicates resolve the same way.
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isFile() && e.name === 'results.json' && rel) {
        const file = path.join(reportDir, child);
        try {
          const data: unknown = JSON.parse(await readFile(file, 'utf8'));
          const problem = runResultProblem(data);
          if (problem) {
            warnings.push(`skipped ${file}: ${problem}`);
            continue;
          }
          const result = data as RunResult;
          const earlier = found.get(result.runId);
          // A copied run directory must not count twice; the copy in the directory named
          // after the run (where writeReports put it) is the one the row links to.
          if (earlier && (path.posix.basename(earlier.dir) === result.runId || path.posix.basename(rel) !== result.runId)) {
            warnings.push(`skipped ${file}: run ${result.runId} was already found in ${earlier.dir}`);
            continue;
          }
          if (earlier)
            warnings.push(`skipped ${path.join(reportDir, earlier.dir, 'results.json')}: run ${result.runId} was already found in ${rel}`);
          found.set(result.runId, summarizeRun(result, rel));
        } catch (err) {
          warnings.push(`skipped ${file}: ${err instanceof Error ? err.message : String(err)}`);
        }
      } else if (e.isDirectory() && !e.name.startsWith('.') && depth < MAX_DEPTH) {
        await walk(child, depth + 1);
      }
    }
  };
  await walk('', 0);
  return { runs: [...found.values()], warnings };
}

export interface HistoryWritten extends CollectedRuns {
  path: string;
}

/**
 * Writes `<reportDir>/index.html` under a temporary name and renames it into place, so a
 * browser or a concurrent run never reads half a page.
 */
export async function writeHistory(reportDir: string, collected?: CollectedRuns, now = new Date()): Promise<HistoryWritten> {
  collected ??= await collectRuns(reportDir);
  const target = path.join(reportDir, 'index.html');
  const temp = path.join(reportDir, `.index-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.html`);
  await writeFile(temp, renderHistory(collected.runs, { generatedAt: now.toISOString(), checkOrder: CHECKS.map((c) => c.id) }));
  try {
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return { ...collected, path: target };
}
