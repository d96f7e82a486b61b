// <report-dir>/index.html: every run in a report directory side by side, so a check that
// fails one night in five, or recovery that slows week by week, is seen. Pure: callers
// summarise each results.json (summarizeRun) and render the summaries (renderHistory).
// Like the run report it is one self-contained file: no network, opens from file://,
// every value from a run escaped, a Content-Security-Policy allowing only its own
// style and script.
import type { CheckStatus, RunResult } from '../types.ts';
import { escapeHtml as h } from './escape.ts';
import { formatDuration } from './format.ts';
import { CSS, SCRIPT } from './html-style.ts';
import { pageHead } from './page.ts';
import { readyStats, runProblem, verdictOf, type Verdict } from './stats.ts';

/**
 * What the history page needs from one run. Runs are reduced to this as soon as they are
 * read, so a directory of many large results.json files never sits in memory at once.
 */
export interface HistoryRun {
  /** Directory of the run relative to the report dir, '/'-separated (usually the run ID). */
  dir: string;
  runId: string;
  startedAt: string;
  durationMs: number;
  verdict: Verdict;
  seed: number;
  replay: string;
  cluster: { context: string; server: string; version: string };
  workload: { kind: string; statefulSet: string; replicas: number };
  rounds: number;
  checks: { id: string; status: CheckStatus; message: string }[];
  /** Why the run did not finish cleanly, if it did not. */
  problem?: string;
  /** kill → Ready over all rounds (ms), as the run report computes it. */
  ready: { killed: number; recovered: number; p50?: number; p95?: number };
}

export function summarizeRun(result: RunResult, dir: string): HistoryRun {
  const s = readyStats(result.rounds.flatMap((r) => r.recoveries));
  const problem = runProblem(result);
  const run: HistoryRun = {
    dir,
    runId: result.runId,
    startedAt: result.startedAt,
    durationMs: result.durationMs,
    verdict: verdictOf(result),
    seed: result.seed,
    replay: result.replay,
    cluster: { context: result.cluster.context, server: result.cluster.server, version: result.cluster.version },
    workload: { kind: result.workload.kind, statefulSet: result.workload.statefulSet, replicas: result.workload.replicas },
    rounds: result.options.rounds,
    checks: result.checks.map((c) => ({ id: c.id, status: c.status, message: c.message })),
    ready: { killed: s.killed, recovered: s.recovered },
  };
  if (s.p50 !== undefined) run.ready.p50 = s.p50;
  if (s.p95 !== undefined) run.ready.p95 = s.p95;
  if (problem) run.problem = problem.message;
  return run;
}

/** Newest first; runs started at the same instant fall back to the run ID, so the order is stable. */
export function newestFirst(runs: readonly HistoryRun[]): HistoryRun[] {
  const time = (r: HistoryRun): number => {
    const t = Date.parse(r.startedAt);
    return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
  };
  return [...runs].sort((a, b) => time(b) - time(a) || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0));
}

/**
 * Check IDs as grid columns: those in `order` (the catalog's report order) that any run
 * has, then the rest in order of appearance, newest run first, so a retired or unknown
 * check still shows its past and the columns do not move with whichever run is newest.
 */
export function checkColumns(runs: readonly HistoryRun[], order: readonly string[] = []): string[] {
  const seen = new Set(runs.flatMap((r) => r.checks.map((c) => c.id)));
  const ids = order.filter((id) => seen.has(id));
  for (const r of runs) for (const c of r.checks) if (!ids.includes(c.id)) ids.push(c.id);
  return ids;
}

/** A check that both passed and did not pass across the shown runs: the flaky ones. */
export function isIntermittent(runs: readonly HistoryRun[], id: string): boolean {
  const statuses = new Set(runs.flatMap((r) => r.checks.filter((c) => c.id === id).map((c) => c.status)));
  return statuses.has('passed') && (statuses.has('failed') || statuses.has('error'));
}

export interface HistoryOptions {
  /** Most runs to show (newest kept); the page says how many were left out. */
  limit?: number;
  /** For the footer; defaults to now. */
  generatedAt?: string;
  /** Known check IDs in report order, for the grid's columns (see checkColumns). */
  checkOrder?: readonly string[];
}


/** A link to a run's own report that stays inside the report dir, whatever its name. */
export function runHref(dir: string): string {
  return `./${dir.split('/').map(encodeURIComponent).join('/')}/index.html`;
}

export function renderHistory(all: readonly HistoryRun[], options: HistoryOptions = {}): string {
  const limit = options.limit ?? 200;
  const sorted = newestFirst(all);
  const runs = sorted.slice(0, limit);
  const style = CSS + HISTORY_CSS;
  const counts = { PASSED: 0, FAILED: 0, ERROR: 0 };
  for (const r of runs) counts[r.verdict] += 1;
  const omitted = sorted.length - runs.length;
  return `${pageHead(`Ordinal history: ${runs.length} runs`, style)}
<body>
<main>
<section class="banner" id="history-summary">
<div class="what"><div class="title">Ordinal run history</div>
<div class="sub">${runs.length} runs${omitted > 0 ? ` (newest ${runs.length} shown, ${omitted} older left out)` : ''}${
    runs.length > 0 ? ` · ${h(runs[runs.length - 1]?.startedAt)} → ${h(runs[0]?.startedAt)}` : ''
  }</div></div>
<div class="counts"><span class="chip failed${counts.FAILED === 0 ? ' zero' : ''}">${counts.FAILED} failed</span><span class="chip error${
    counts.ERROR === 0 ? ' zero' : ''
  }">${counts.ERROR} error</span><span class="chip passed${counts.PASSED === 0 ? ' zero' : ''}">${counts.PASSED} passed</span></div>
</section>
${gridSection(runs, options.checkOrder ?? [])}
${trendSection(runs)}
${runsSection(runs)}
<footer>Generated by ordinal from the results.json files under this directory at ${h(options.generatedAt ?? new Date().toISOString())};
<code>ordinal report &lt;dir&gt;</code> rebuilds it.</footer>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function gridSection(runs: readonly HistoryRun[], order: readonly string[]): string {
  const ids = checkColumns(runs, order);
  if (runs.length === 0) return '<section id="grid"><h2>Checks by run</h2><p class="sub">No runs yet.</p></section>';
  const head = ids
    .map((id) => {
      const flaky = isIntermittent(runs, id);
      const bad = runs.filter((r) => r.checks.some((c) => c.id === id && (c.status === 'failed' || c.status === 'error'))).length;
      return `<th class="col${flaky ? ' intermittent' : ''}" data-id="${h(id)}" title="${h(`${id}: ${bad} of ${runs.length} runs failed or errored${flaky ? ' (intermittent)' : ''}`)}"><span>${h(id)}</span>${
        flaky ? '<b class="flag">intermittent</b>' : ''
      }<small>${bad}/${runs.length}</small></th>`;
    })
    .join('');
  const rows = runs.map((r) => {
    const cells = ids.map((id) => {
      const c = r.checks.find((x) => x.id === id);
      if (!c) return `<td class="cell s-absent" data-id="${h(id)}" data-status="absent" title="${h(`${id}: not in this run`)}">·</td>`;
      return `<td class="cell s-${h(c.status)}" data-id="${h(id)}" data-status="${h(c.status)}" title="${h(`${id}: ${c.status} — ${c.message}`)}">${STATUS_MARK[c.status]}</td>`;
    });
    return `<tr data-run="${h(r.runId)}"><th class="run"><a href="${h(runHref(r.dir))}">${h(shortTime(r.startedAt))}</a> <span class="v v-${h(r.verdict.toLowerCase())}">${h(r.verdict)}</span></th>${cells.join('')}</tr>`;
  });
  return `<section id="grid"><h2>Checks by run</h2>
<div class="sub">Newest run on top. ${legend()}</div>
<div class="grid-wrap"><table class="grid"><thead><tr><th class="run">Run</th>${head}</tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div></section>`;
}

const STATUS_MARK: Record<CheckStatus, string> = { passed: '✓', failed: '✗', error: '!', skipped: '–' };

function legend(): string {
  return (['passed', 'failed', 'error', 'skipped'] as const)
    .map((s) => `<span class="legend-item"><span class="cell-swatch s-${s}">${STATUS_MARK[s]}</span>${s}</span>`)
    .join(' ');
}

function shortTime(iso: string): string {
  // "2026-03-14T10:15:02.118Z" -> "2026-03-14 10:15Z": enough to tell nightly runs apart.
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)/.exec(iso);
  return m ? `${m[1]} ${m[2]}Z` : iso;
}

// Trend chart geometry, in SVG user units.
const W = 1100;
const H = 240;
const PAD = { left: 64, right: 16, top: 14, bottom: 40 };

/** A round number of ms for axis ticks: 1, 2 or 5 times a power of ten. */
function niceStep(max: number, ticks: number): number {
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
}

/** Axis labels stay short and even: "0 ms", "500 ms", "2.5 s", "10 s". */
function tickLabel(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(2))} s`;
}

function trendSection(newest: readonly HistoryRun[]): string {
  // Time runs left to right, as a chart reader expects.
  const runs = [...newest].reverse();
  const withData = runs.filter((r) => r.ready.p50 !== undefined);
  if (withData.length === 0) {
    return '<section id="trend"><h2>Kill → Ready trend</h2><p class="sub">No run recorded a pod coming back Ready yet.</p></section>';
  }
  // At least 100 ms tall, so near-zero values still get distinct, whole-number ticks.
  const maxMs = Math.max(...withData.map((r) => r.ready.p95 ?? r.ready.p50 ?? 0), 100);
  const step = niceStep(maxMs, 4);
  const top = Math.ceil(maxMs / step) * step;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (i: number): number => PAD.left + (runs.length === 1 ? plotW / 2 : (i / (runs.length - 1)) * plotW);
  const y = (ms: number): number => PAD.top + plotH - (ms / top) * plotH;
  const f = (n: number): string => n.toFixed(1);

  const grid: string[] = [];
  for (let v = 0; v <= top + step / 2; v += step) {
    grid.push(`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${f(y(v))}" y2="${f(y(v))}"/>`);
    grid.push(`<text class="tick-label" x="${PAD.left - 6}" y="${f(y(v) + 4)}" text-anchor="end">${h(tickLabel(v))}</text>`);
  }
  // At most ~8 date labels, always the first and the last run.
  const every = Math.max(1, Math.ceil(runs.length / 8));
  const labels = runs
    .map((r, i) => ({ r, i }))
    .filter(({ i }) => i % every === 0 || i === runs.length - 1)
    // The first and last labels hang inwards so they are not clipped at the edges.
    .map(({ r, i }) => {
      const anchor = runs.length === 1 ? 'middle' : i === 0 ? 'start' : i === runs.length - 1 ? 'end' : 'middle';
      return `<text class="tick-label" x="${f(x(i))}" y="${H - PAD.bottom + 16}" text-anchor="${anchor}">${h(shortTime(r.startedAt).slice(5))}</text>`;
    });

  const series = (key: 'p50' | 'p95'): string => {
    // A run without recoveries breaks the line rather than bridging it, so a gap shows.
    const segments: string[][] = [[]];
    const points: string[] = [];
    runs.forEach((r, i) => {
      const v = r.ready[key];
      if (v === undefined) {
        if ((segments[segments.length - 1]?.length ?? 0) > 0) segments.push([]);
        return;
      }
      segments[segments.length - 1]?.push(`${f(x(i))},${f(y(v))}`);
      points.push(
        `<circle class="pt ${key}" cx="${f(x(i))}" cy="${f(y(v))}" r="3.5" data-run="${h(r.runId)}" data-ms="${v}"><title>${h(
          `${r.runId} (${r.startedAt}): ${key} ${formatDuration(v)}, ${r.ready.recovered}/${r.ready.killed} recovered`,
        )}</title></circle>`,
      );
    });
    const lines = segments.filter((s) => s.length > 1).map((s) => `<polyline class="line ${key}" points="${s.join(' ')}"/>`);
    return `<g class="series ${key}">${lines.join('')}${points.join('')}</g>`;
  };

  return `<section id="trend"><h2>Kill → Ready trend</h2>
<div class="sub">Per run, over all its rounds: <span class="key p50"></span>p50 <span class="key p95"></span>p95 (oldest run on the left; hover a point for the run).</div>
<svg class="trend" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="kill to Ready p50 and p95 per run">
${grid.join('\n')}
<line class="axis" x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${H - PAD.bottom}"/>
<line class="axis" x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}"/>
${labels.join('\n')}
${series('p95')}
${series('p50')}
</svg></section>`;
}

function runsSection(runs: readonly HistoryRun[]): string {
  if (runs.length === 0) return '<section id="runs"><h2>Runs</h2><p class="sub">No runs yet.</p></section>';
  const rows = runs.map((r, i) => {
    const failedIds = r.checks.filter((c) => c.status === 'failed' || c.status === 'error').map((c) => c.id);
    const why = r.problem ?? (failedIds.length > 0 ? failedIds.join(', ') : '');
    return `<tr data-run="${h(r.runId)}" data-verdict="${h(r.verdict)}">
<td class="t"><a href="${h(runHref(r.dir))}">${h(r.startedAt)}</a><div class="sub mono">${h(r.runId)}</div></td>
<td><span class="v v-${h(r.verdict.toLowerCase())}">${h(r.verdict)}</span>${why ? `<div class="sub why">${h(why)}</div>` : ''}</td>
<td>${h(r.workload.statefulSet)} × ${h(r.workload.replicas)}<div class="sub">${h(r.workload.kind)} · ${h(r.rounds)} rounds</div></td>
<td><span class="mono">${h(r.seed)}</span><div class="replay-row"><code id="replay-${i}">${h(r.replay)}</code><button class="copy" type="button" data-copy="replay-${i}">Copy</button></div></td>
<td>${h(r.cluster.context)}<div class="sub">${h(r.cluster.version)} · <span class="mono">${h(r.cluster.server)}</span></div></td>
<td class="t">${h(formatDuration(r.durationMs))}</td>
<td class="t">${h(formatDuration(r.ready.p50))} / ${h(formatDuration(r.ready.p95))}</td>
</tr>`;
  });
  return `<section id="runs"><h2>Runs (${runs.length})</h2>
<table class="runs"><thead><tr><th>Started</th><th>Verdict</th><th>Workload</th><th>Seed and replay</th><th>Cluster</th><th>Duration</th><th>Ready p50 / p95</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`;
}

const HISTORY_CSS = `
.v{font-weight:700;font-size:12px;letter-spacing:.03em}.v-passed{color:var(--pass)}.v-failed{color:var(--fail)}.v-error{color:var(--err)}
.grid-wrap{overflow-x:auto;background:var(--card);border:1px solid var(--line);border-radius:8px;margin-top:8px}
table.grid{width:auto;margin:0}
table.grid th.col{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;font-family:ui-monospace,Menlo,Consolas,monospace;padding:8px 4px;vertical-align:bottom}
table.grid th.col small{color:var(--muted);font-weight:400;margin-top:4px}
table.grid th.col .flag{color:var(--fail);font-size:11px;margin-top:4px}
table.grid th.col.intermittent{background:var(--fail-bg)}
table.grid th.run{white-space:nowrap;font-weight:400;background:var(--card)}
td.cell,.cell-swatch{text-align:center;font-weight:700;min-width:30px;padding:4px 6px}
.cell-swatch{display:inline-block;min-width:18px;padding:0 4px;border-radius:3px;margin-right:4px}
.s-passed{background:var(--pass-bg);color:var(--pass)}.s-failed{background:var(--fail);color:#fff}
.s-error{background:var(--err-bg);color:var(--err);outline:1px solid var(--err)}.s-skipped{background:var(--skip-bg);color:var(--skip)}
.s-absent{color:var(--gone)}
svg.trend{display:block;background:var(--card);border:1px solid var(--line);border-radius:8px;margin-top:8px;font-size:12px}
svg.trend .line{fill:none;stroke-width:2}
svg.trend .line.p50,svg.trend .pt.p50{stroke:var(--running)}svg.trend .pt.p50{fill:var(--running)}
svg.trend .line.p95{stroke:var(--terminating);stroke-dasharray:5 3}svg.trend .pt.p95{fill:var(--terminating);stroke:var(--terminating)}
.key{display:inline-block;width:18px;height:3px;margin:0 4px 3px 8px;vertical-align:middle}
.key.p50{background:var(--running)}.key.p95{background:var(--terminating)}
table.runs{background:var(--card);border:1px solid var(--line)}
table.runs .why{color:var(--fail);word-break:break-word}
.replay-row{display:flex;gap:6px;align-items:stretch;margin-top:4px}
.replay-row code{flex:1;padding:4px 8px;background:#0d1117;color:#e6edf3;border-radius:4px;white-space:pre-wrap;word-break:break-all;font-size:11.5px}
.replay-row button.copy{padding:0 8px;font-size:12px}
`;
