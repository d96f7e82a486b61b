// Writes the side-by-side table of `npm run bench:upstream` (run.sh calls it last):
//   node bench/upstream-e2e/report.ts --out <dir> --ginkgo <report.json>... \
//     --ordinal <run.json>... --context <line>...
// <run.json> is what run.sh records per Ordinal run: {name, command, wallSeconds,
// exitCode, results} with `results` the run's results.json. Writes <dir>/upstream-e2e.md
// and <dir>/upstream-e2e.json, and prints the Markdown.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildRows, type GinkgoReport, markdown, type OrdinalRun, summarize } from './table.ts';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    ginkgo: { type: 'string', multiple: true, default: [] },
    ordinal: { type: 'string', multiple: true, default: [] },
    context: { type: 'string', multiple: true, default: [] },
  },
  strict: true,
});
if (!values.out || values.ginkgo.length === 0) {
  console.error('usage: report.ts --out <dir> --ginkgo <report.json>... [--ordinal <run.json>...] [--context <line>...]');
  process.exit(2);
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    console.error(`report.ts: cannot read ${file}: ${(e as Error).message}`);
    process.exit(2);
  }
}

// ginkgo writes one report per suite run: an array.
const reports = values.ginkgo.flatMap((f) => readJson(f) as GinkgoReport[]);
const ordinal: OrdinalRun[] = values.ordinal.map((f) => {
  const rec = readJson(f) as Omit<OrdinalRun, 'checks'> & { results: string };
  const checks: Record<string, string> = {};
  try {
    const results = JSON.parse(readFileSync(rec.results, 'utf8')) as { checks?: { id: string; status: string }[] };
    for (const c of results.checks ?? []) checks[c.id] = c.status;
  } catch {
    // A run that ended before judging (exit 2) has no results.json: its checks show `not run`.
  }
  return { name: rec.name, command: rec.command, wallSeconds: rec.wallSeconds, exitCode: rec.exitCode, checks };
});

const rows = buildRows(reports, ordinal);
const md = markdown(rows, ordinal, values.context);
mkdirSync(values.out, { recursive: true });
writeFileSync(path.join(values.out, 'upstream-e2e.md'), md);
writeFileSync(
  path.join(values.out, 'upstream-e2e.json'),
  `${JSON.stringify({ context: values.context, summary: summarize(rows, ordinal), ordinal, rows }, null, 2)}\n`,
);
process.stdout.write(md);
