// `ordinal report <report-dir>`: rebuilds <report-dir>/index.html, the history of every
// run in the directory, from the results.json files found under it. Needs no cluster.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.ts';
import { collectRuns, writeHistory } from '../report/history-write.ts';
import { warnLine } from './output.ts';

export const REPORT_HELP = [
  'Usage: ordinal report <report-dir>',
  '',
  'Rebuilds <report-dir>/index.html: one row per run, a grid of runs x check IDs, and the',
  'kill -> Ready trend, from every <report-dir>/<run-id>/results.json. Files that cannot be',
  'read or have another schema are skipped with a warning. Every `ordinal run` refreshes',
  'this page by itself; use this after copying, pruning or restoring run directories.',
].join('\n');

export async function reportCommand(argv: string[]): Promise<number> {
  const parse = () => parseArgs({ args: argv, options: { help: { type: 'boolean' } }, strict: true, allowPositionals: true });
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (err) {
    throw new UsageError(`${(err as Error).message}; see 'ordinal report --help'`);
  }
  if (parsed.values.help) {
    console.log(REPORT_HELP);
    return 0;
  }
  const [dir, ...extra] = parsed.positionals;
  if (dir === undefined || extra.length > 0)
    throw new UsageError(`ordinal report takes exactly one report directory; see 'ordinal report --help'`);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`report directory ${dir} does not exist (or is not a directory)`);
  const collected = await collectRuns(dir);
  for (const w of collected.warnings) warnLine(w);
  if (collected.runs.length === 0) {
    throw new UsageError(
      `no runs found under ${dir}: expected ${path.join(dir, '<run-id>', 'results.json')} files written by 'ordinal run'`,
    );
  }
  const out = await writeHistory(dir, collected);
  console.log(
    `history: ${out.path} (${out.runs.length} run${out.runs.length === 1 ? '' : 's'}${out.warnings.length > 0 ? `, ${out.warnings.length} skipped` : ''})`,
  );
  return 0;
}
