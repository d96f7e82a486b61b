// Figures over the runs in report directories (e.g. what bench/soak.ts left), per
// disruption kind: kill → Ready, availability, writes, throughput (bench/figures-data.ts).
//   node bench/figures.ts --workload etcd --name soak-etcd [--date YYYY-MM-DD] [--command '…'] <report-dir>...
//     reads every <dir>/<run-id>/results.json of that workload (and its timeline.json for the
//     per-write figures), writes bench/results/<date>/<name>/ (runs/<run-id>.json and
//     aggregate.json; commit them) and prints the tables.
//   node bench/figures.ts --docs
//     renders every <!-- figures:… --> block in README.md and docs/*.md from bench/results/.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, renderSet, rewriteDocs } from './figures-docs.ts';
import { collectRuns, RESULTS_ROOT, writeSet } from './figures-store.ts';

const usage =
  'usage: node bench/figures.ts --workload <web|etcd|…> --name <set> [--date YYYY-MM-DD] [--command <text>] <report-dir>...\n' +
  '       node bench/figures.ts --docs';
function parse() {
  try {
    return parseArgs({
      options: {
        workload: { type: 'string' },
        name: { type: 'string' },
        date: { type: 'string' },
        command: { type: 'string' },
        docs: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    console.error(`figures: ${e instanceof Error ? e.message.split('.')[0] : String(e)}\n${usage}`);
    process.exit(2);
  }
}
const { values, positionals } = parse();
if (values.help) {
  console.log(usage);
  process.exit(0);
}

try {
  if (values.docs) {
    const changed = rewriteDocs(RESULTS_ROOT);
    console.error(
      `figures: ${changed.length ? `rewrote ${changed.map((f) => path.relative(REPO_ROOT, f)).join(', ')}` : 'docs already up to date'}`,
    );
    process.exit(0);
  }
  if (!values.workload || !values.name || positionals.length === 0) {
    console.error(usage);
    process.exit(2);
  }
  for (const dir of positionals) {
    if (!existsSync(dir)) throw new Error(`figures: no such report directory: ${dir}`);
  }
  const runs = collectRuns(positionals, values.workload);
  if (runs.length === 0) throw new Error(`figures: no ${values.workload} run in ${positionals.join(', ')}`);
  const date = values.date ?? runs[0]?.results.startedAt.slice(0, 10) ?? '';
  const command = values.command ?? `node bench/figures.ts --workload ${values.workload} --name ${values.name} ${positionals.join(' ')}`;
  const set = writeSet(RESULTS_ROOT, { name: values.name, workload: values.workload, date, command }, runs);
  const dir = path.join(RESULTS_ROOT, date, values.name);
  console.log(renderSet(set, dir, path.join(REPO_ROOT, 'docs', 'measured.md')));
  console.error(
    `figures: wrote ${path.relative(REPO_ROOT, dir)}/ (${runs.length} runs); \`npm run bench:figures -- --docs\` renders the docs' blocks`,
  );
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(2);
}
