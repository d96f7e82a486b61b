// The grid of the history page (lib/report/history.ts): one column per check ID, one row
// per run. Built from per-ID and per-run lookups, each made in one pass over the checks,
// so a page of many check IDs costs its size in cells, not the square of the IDs.
import type { CheckStatus } from '../checks/api.ts';
import { escapeHtml as h } from './escape.ts';
import type { Verdict } from './stats.ts';

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

/**
 * Check IDs as grid columns: those in `order` (the catalog's report order) that any run
 * has, then the rest in order of appearance, newest run first, so a retired or unknown
 * check still shows its past and the columns do not move with whichever run is newest.
 */
export function checkColumns(runs: readonly HistoryRun[], order: readonly string[] = []): string[] {
  const seen = new Set<string>();
  for (const r of runs) for (const c of r.checks) seen.add(c.id);
  const ids = new Set(order.filter((id) => seen.has(id)));
  for (const id of seen) ids.add(id);
  return [...ids];
}

export interface ColumnStats {
  /** Runs in which the check failed or errored. */
  bad: number;
  /** It both passed and did not pass across the runs: the flaky ones. */
  intermittent: boolean;
}

/**
 * Per check ID, over the shown runs, in one pass over every check: the grid's column
 * headers read this instead of scanning all runs once per column, which made the page
 * quadratic in the number of check IDs.
 */
export function columnStats(runs: readonly HistoryRun[]): Map<string, ColumnStats> {
  // Per ID: the statuses seen (one bit each), and the last run counted as bad, so a run
  // with the same ID twice counts once.
  const seen = new Map<string, { bits: number; bad: number; lastBad: number }>();
  runs.forEach((r, i) => {
    for (const c of r.checks) {
      const e = seen.get(c.id) ?? { bits: 0, bad: 0, lastBad: -1 };
      e.bits |= STATUS_BIT[c.status];
      if ((c.status === 'failed' || c.status === 'error') && e.lastBad !== i) {
        e.bad += 1;
        e.lastBad = i;
      }
      seen.set(c.id, e);
    }
  });
  const out = new Map<string, ColumnStats>();
  const notPassed = STATUS_BIT.failed | STATUS_BIT.error;
  for (const [id, e] of seen) out.set(id, { bad: e.bad, intermittent: (e.bits & STATUS_BIT.passed) !== 0 && (e.bits & notPassed) !== 0 });
  return out;
}

const STATUS_BIT: Record<CheckStatus, number> = { passed: 1, failed: 2, error: 4, skipped: 8 };

/** A check that both passed and did not pass across the shown runs: the flaky ones. */
export function isIntermittent(runs: readonly HistoryRun[], id: string): boolean {
  return columnStats(runs).get(id)?.intermittent ?? false;
}

/** A link to a run's own report that stays inside the report dir, whatever its name. */
export function runHref(dir: string): string {
  return `./${dir.split('/').map(encodeURIComponent).join('/')}/index.html`;
}

export function gridSection(runs: readonly HistoryRun[], order: readonly string[]): string {
  const ids = checkColumns(runs, order);
  if (runs.length === 0) return '<section id="grid"><h2>Checks by run</h2><p class="sub">No runs yet.</p></section>';
  const stats = columnStats(runs);
  const head = ids
    .map((id) => {
      const { intermittent: flaky, bad } = stats.get(id) ?? { intermittent: false, bad: 0 };
      return `<th class="col${flaky ? ' intermittent' : ''}" data-id="${h(id)}" title="${h(`${id}: ${bad} of ${runs.length} runs failed or errored${flaky ? ' (intermittent)' : ''}`)}"><span>${h(id)}</span>${
        flaky ? '<b class="flag">intermittent</b>' : ''
      }<small>${bad}/${runs.length}</small></th>`;
    })
    .join('');
  const rows = runs.map((r) => {
    // The first check of each ID, as a lookup: one find per cell made each row quadratic.
    const byId = new Map<string, HistoryRun['checks'][number]>();
    for (const c of r.checks) if (!byId.has(c.id)) byId.set(c.id, c);
    const cells = ids.map((id) => {
      const c = byId.get(id);
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

export function shortTime(iso: string): string {
  // "2026-03-14T10:15:02.118Z" -> "2026-03-14 10:15Z": enough to tell nightly runs apart.
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)/.exec(iso);
  return m ? `${m[1]} ${m[2]}Z` : iso;
}
