// Figures over the runs in report directories (e.g. what bench/soak.ts left), per
// disruption kind: kill → Ready, availability, writes, throughput (bench/figures-data.ts).
//   node bench/figures.ts --workload web [--out reports/bench] <report-dir>...
// Reads every <dir>/<run-id>/results.json of that workload (and its timeline.json for the
// per-write figures), prints the tables and writes <out>/figures-<workload>.{json,md}.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { CheckInput } from '../lib/checks/api.ts';
import type { RunResult } from '../lib/run/results-schema.ts';
import { aggregate, type RunData } from './figures-data.ts';
import { renderMarkdown } from './figures-render.ts';

const { values, positionals } = parseArgs({
  options: { workload: { type: 'string' }, out: { type: 'string', default: 'reports/bench' }, help: { type: 'boolean', default: false } },
  allowPositionals: true,
  strict: true,
});
if (values.help || !values.workload || positionals.length === 0) {
  console.error('usage: node bench/figures.ts --workload <web|etcd|…> [--out reports/bench] <report-dir>...');
  process.exit(values.help ? 0 : 2);
}
const workload = values.workload;

const runs: RunData[] = [];
for (const dir of positionals) {
  if (!existsSync(dir)) {
    console.error(`figures: no such report directory: ${dir}`);
    process.exit(2);
  }
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    // `latest` is a symlink to a run already listed.
    if (!entry.isDirectory()) continue;
    const file = path.join(dir, entry.name, 'results.json');
    if (!existsSync(file)) continue;
    const results = JSON.parse(readFileSync(file, 'utf8')) as RunResult;
    if (results.workload.kind !== workload) continue;
    const tl = path.join(dir, entry.name, 'timeline.json');
    const input = existsSync(tl) ? (JSON.parse(readFileSync(tl, 'utf8')) as CheckInput) : undefined;
    runs.push({ results, ...(input ? { input } : {}) });
  }
}
if (runs.length === 0) {
  console.error(`figures: no ${workload} run in ${positionals.join(', ')}`);
  process.exit(2);
}
runs.sort((a, b) => a.results.startedAt.localeCompare(b.results.startedAt));

const figures = aggregate(workload, runs);
const first = runs[0]?.results;
const last = runs.at(-1)?.results;
const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
const machine = [
  `Measured ${first?.startedAt.slice(0, 16)}Z – ${last?.finishedAt.slice(0, 16)}Z on ${os.hostname()} (${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB),`,
  `Kubernetes ${first?.cluster.version} with ${first?.cluster.nodes.length} nodes, ordinal ${first?.tool.version}; chaos ${first?.options.chaos?.join(',') ?? '?'}, ${first?.options.rounds} rounds per run.`,
].join(' ');
const md = renderMarkdown(figures, machine);
console.log(md);
mkdirSync(values.out, { recursive: true });
const base = path.join(values.out, `figures-${workload}`);
writeFileSync(`${base}.json`, `${JSON.stringify({ machine, generatedAt: new Date().toISOString(), ...figures }, null, 2)}\n`);
writeFileSync(`${base}.md`, `${md}\n`);
console.error(`figures: wrote ${base}.json and ${base}.md`);
