// Every way a run's result leaves the process goes through one interface: the files in the
// run's report directory (JUnit, HTML), the console lines and the GitHub Actions output.
// The CLI and the suites pick a list; each reporter is fed the same RunResult, so the
// verdict they show comes from the one verdictOf in stats.ts.
import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunResult } from '../run/results-schema.ts';
import { githubAnnotations, githubSummaryMarkdown } from './github.ts';
import { forTerminal } from './escape.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { verdictOf } from './stats.ts';

export interface ReportContext {
  /** The run's own report directory; results.json is already there. */
  dir: string;
  /** A progress line (the CLI prefixes the elapsed time). */
  log: (line: string) => void;
  /** Raw stdout: GitHub workflow commands must start at the beginning of a line. */
  out: (line: string) => void;
  /** Colours the verdict on a terminal; identity elsewhere. */
  emphasise?: (text: string, ok: boolean) => string;
  env: Readonly<Record<string, string | undefined>>;
}

export interface Reporter {
  name: string;
  /** Returns the files written. A throw is collected; the other reporters still run. */
  write(result: RunResult, ctx: ReportContext): Promise<string[]>;
}

function fileReporter(file: string, render: (r: RunResult) => string): Reporter {
  return {
    name: file,
    async write(result, ctx) {
      const target = path.join(ctx.dir, file);
      await writeFile(target, render(result));
      return [target];
    },
  };
}

export const junitReporter = fileReporter('junit.xml', renderJunit);
export const htmlReporter = fileReporter('index.html', renderHtml);

/**
 * One line per check, then the verdict, the report's path and the replay command. Each
 * line passes forTerminal: check messages quote the cluster (Event messages, pod output).
 */
export const consoleReporter: Reporter = {
  name: 'console',
  async write(result, ctx) {
    for (const c of result.checks) ctx.log(forTerminal(`${c.status.toUpperCase().padEnd(7)} ${c.id}  ${c.message}`));
    const { passed, failed, error, skipped } = result.summary;
    const verdict = verdictOf(result);
    const line = `${verdict}: ${passed} passed, ${failed} failed, ${error} error, ${skipped} skipped`;
    ctx.log(ctx.emphasise ? ctx.emphasise(line, verdict === 'PASSED') : line);
    ctx.log(forTerminal(`report: ${path.join(ctx.dir, 'index.html')}`));
    ctx.log(forTerminal(`replay: ${result.replay}`));
    return [];
  },
};

/** Annotations in the log and a block in the step summary, only inside GitHub Actions. */
export const githubReporter: Reporter = {
  name: 'github',
  async write(result, ctx) {
    if (ctx.env.GITHUB_ACTIONS !== 'true') return [];
    for (const line of githubAnnotations(result)) ctx.out(line);
    const summary = ctx.env.GITHUB_STEP_SUMMARY;
    if (!summary) return [];
    await appendFile(summary, `${githubSummaryMarkdown(result)}\n`);
    return [summary];
  },
};

/** Files only: what tests and `ordinal report` want. */
export const FILE_REPORTERS: readonly Reporter[] = [junitReporter, htmlReporter];
/** `ordinal run`: files, console, GitHub. */
export const CLI_REPORTERS: readonly Reporter[] = [...FILE_REPORTERS, consoleReporter, githubReporter];
/** The suites: mocha already prints one line per check, so no console reporter. */
export const SUITE_REPORTERS: readonly Reporter[] = [...FILE_REPORTERS, githubReporter];
