// Writes one run's report directory and moves `latest` to it. results.json is written
// first and alone can always be re-rendered, so a broken renderer never loses a run.
import { writeHistory as writeHistoryFile } from '../history/jsonl.ts';
import { mkdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { redactDeep } from '../redact.ts';
import type { CheckInput } from '../checks/api.ts';
import type { RunResult } from '../run/results-schema.ts';
import { writeHistory } from './history-write.ts';
import { FILE_REPORTERS, type ReportContext, type Reporter } from './reporters.ts';

// runId becomes a directory name; anything else could escape reportDir.
const SAFE_RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface WriteOptions extends Partial<Omit<ReportContext, 'dir'>> {
  /** Defaults to the file reporters (JUnit, HTML). */
  reporters?: readonly Reporter[];
}

/**
 * `input`, when given, is kept as timeline.json: everything the checks saw, for debugging and fixtures.
 * `warnings` says why `<reportDir>/index.html` (the history of all runs) was not refreshed
 * or which runs it left out; it never fails the run's own report.
 */
export async function writeReports(
  given: RunResult,
  reportDir: string,
  input?: CheckInput,
  opts: WriteOptions = {},
): Promise<{ dir: string; files: string[]; warnings: string[] }> {
  // Every file, console line and GitHub output below renders this copy: an inline secret of
  // --node-fault-command (in the replay line, in error details) never reaches any of them.
  const result = redactDeep(given);
  if (!SAFE_RUN_ID.test(result.runId) || result.runId.includes('..')) {
    throw new Error(`runId ${JSON.stringify(result.runId)} is not a safe directory name (letters, digits, . _ -)`);
  }
  const dir = path.join(reportDir, result.runId);
  await mkdir(dir, { recursive: true });

  const resultsPath = path.join(dir, 'results.json');
  await writeFile(resultsPath, `${JSON.stringify(result, null, 2)}\n`);
  const files = [resultsPath];
  if (input) {
    // The history client's operations go to history.jsonl (what `ordinal check-history` reads), not into the timeline.
    const history = input.traffic?.history;
    const timelinePath = path.join(dir, 'timeline.json');
    // The events are history.jsonl beside it (megabytes at 100k operations), in both the
    // traffic record and the checks' history record, which keeps its file name and clock.
    const kept: CheckInput = {
      ...input,
      ...(history !== undefined && input.traffic ? { traffic: { ...input.traffic, history: undefined } } : {}),
      ...(input.history?.events ? { history: { ...input.history, events: undefined } } : {}),
    };
    await writeFile(timelinePath, `${JSON.stringify(kept)}\n`);
    files.push(timelinePath);
    if (history !== undefined) {
      const historyPath = path.join(dir, 'history.jsonl');
      await writeHistoryFile(historyPath, history);
      files.push(historyPath);
    }
  }

  const failures: string[] = [];
  const ctx: ReportContext = {
    dir,
    log: opts.log ?? (() => {}),
    out: opts.out ?? ((line) => void process.stdout.write(`${line}\n`)),
    env: opts.env ?? process.env,
    ...(opts.emphasise ? { emphasise: opts.emphasise } : {}),
  };
  for (const reporter of opts.reporters ?? FILE_REPORTERS) {
    try {
      files.push(...(await reporter.write(result, ctx)));
    } catch (err) {
      failures.push(`${reporter.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  try {
    await pointLatest(reportDir, result);
  } catch (err) {
    failures.push(`latest: ${err instanceof Error ? err.message : String(err)}`);
  }

  // Last, and guarded on its own: the history page reads every other run's results.json,
  // any of which may be broken, and this run's files above are already complete.
  const warnings: string[] = [];
  try {
    const history = await writeHistory(reportDir);
    warnings.push(...history.warnings.map((w) => `history: ${w}`));
  } catch (err) {
    warnings.push(`history: ${path.join(reportDir, 'index.html')} not refreshed: ${err instanceof Error ? err.message : String(err)}`);
  }

  if (failures.length > 0) {
    throw new Error(`reports for run ${result.runId} are incomplete (${resultsPath} was written): ${failures.join('; ')}`);
  }
  return { dir, files, warnings };
}

/**
 * Re-rendering an older run must not steal `latest` from a newer one, so the current
 * target's startedAt is compared first. The new link is made under a temporary name and
 * renamed over `latest`, which is atomic: readers see the old or the new run, never none.
 */
async function pointLatest(reportDir: string, result: RunResult): Promise<void> {
  const latest = path.join(reportDir, 'latest');
  const current = await readlink(latest).catch(() => undefined);
  if (current !== undefined && current !== result.runId) {
    const startedAt = await readFile(path.join(reportDir, current, 'results.json'), 'utf8')
      .then((text) => Date.parse((JSON.parse(text) as { startedAt?: string }).startedAt ?? ''))
      .catch(() => Number.NaN);
    if (startedAt > Date.parse(result.startedAt)) return;
  }
  const temp = path.join(reportDir, `.latest-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
  await symlink(result.runId, temp);
  try {
    await rename(temp, latest);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
