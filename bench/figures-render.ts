// The figures of bench/figures-data.ts as markdown: one table per figure family, the
// text bench/figures.ts prints and the docs' generated blocks hold (bench/figures-docs.ts).
import type { Dist, WorkloadFigures } from './figures-data.ts';
import type { RunFigures } from './figures-run.ts';

const ms = (v: number | undefined): string => (v === undefined ? '–' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${v} ms`);
const d3 = (d: Dist): string => (d.n === 0 ? '–' : `${ms(d.p50)} / ${ms(d.p95)} / ${ms(d.max)}`);
/** `3000–3019` for a consecutive run of three or more, else listed. */
export function seedList(seeds: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < seeds.length; ) {
    let j = i;
    while (j + 1 < seeds.length && seeds[j + 1] === (seeds[j] as number) + 1) j++;
    if (j - i >= 2) out.push(`${seeds[i]}–${seeds[j]}`);
    else out.push(...seeds.slice(i, j + 1).map(String));
    i = j + 1;
  }
  return out.join(', ');
}

const row = (cells: (string | number)[]): string => `| ${cells.join(' | ')} |`;

/** `level`: the heading level of the title (its tables one below), so a doc can nest it. */
export function renderMarkdown(f: WorkloadFigures, machine: string, level = 2): string {
  const v = f.verdicts;
  const h = '#'.repeat(level);
  const lines = [
    `${h} ${f.workload}: ${f.runs} runs (seeds ${seedList(f.seeds)}): ${v.passed} passed, ${v.failed} failed, ${v.error} error`,
    '',
    machine,
    '',
    `${h}# Kill → Ready and availability per disruption (p50 / p95 / max)`,
    '',
    row([
      'disruption',
      'applied (refused)',
      'recovered',
      'kill → Ready',
      'n',
      'unavailable interval',
      'n (open)',
      'of it while Ready',
      'Ready → first ack',
      'n',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
    // Writes outside every round have no disruption and no interval of their own: the write table only.
    ...f.kinds
      .filter((k) => k.killed + k.refused > 0 || k.unavailableMs.n > 0)
      .map((k) =>
        row([
          k.disruption,
          `${k.killed} (${k.refused})`,
          k.recovered,
          d3(k.readyMs),
          k.readyMs.n,
          d3(k.unavailableMs),
          `${k.unavailableMs.n} (${k.openIntervals})`,
          d3(k.unavailableWhileReadyMs),
          d3(k.readyToAckMs),
          k.readyToAckMs.n,
        ]),
      ),
    '',
    `${h}# Writes to a pod during the rounds it got each disruption`,
    '',
    row(['disruption', 'sent', 'acked', 'lost', 'indeterminate', 'failed', 'acked/s per pod', 'failed after Ready, by cause']),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---']),
    ...f.kinds
      .filter((k) => k.writes)
      .map((k) =>
        row([
          k.disruption,
          k.writes?.sent ?? 0,
          k.writes?.acked ?? 0,
          k.writes?.lost ?? 0,
          k.writes?.indeterminate ?? 0,
          k.writes?.failed ?? 0,
          k.ackedPerPodSecond ?? '–',
          Object.entries(k.failuresAfterReady)
            .sort((a, b) => b[1] - a[1])
            .map(([c, n]) => `${c}: ${n}`)
            .join(', ') || '–',
        ]),
      ),
    '',
    ...faultTable(f, h),
    `${h}# Whole runs`,
    '',
    row(['figure', 'value']),
    row(['---', '---']),
    row(['node-fault round, start → end (p50 / p95 / max, n)', `${d3(f.nodeFaultRoundMs)} (n ${f.nodeFaultRoundMs.n})`]),
    row([
      'acked writes/s over the traffic window, per run (min / p50 / max)',
      f.ackedPerSecond.n
        ? `${f.ackedPerSecond.min} / ${f.ackedPerSecond.p50} / ${f.ackedPerSecond.max} (offered ${f.offeredPerSecond ?? '?'}/s)`
        : '–',
    ]),
    row([
      'writes sent / acked / lost / indeterminate / failed',
      `${f.writes.sent} / ${f.writes.acked} / ${f.writes.lost} / ${f.writes.indeterminate} / ${f.writes.failed}`,
    ]),
    '',
  ];
  return lines.join('\n');
}

/** The faults the node agent held, by kind (none: no lines, so older sets render as before). */
function faultTable(f: WorkloadFigures, h: string): string[] {
  if (!f.faults?.length) return [];
  const n = (d: Dist): string => (d.n === 0 ? '–' : `${d3(d)} (n ${d.n})`);
  return [
    `${h}# Faults held by the node agent (p50 / p95 / max)`,
    '',
    row([
      'fault',
      'confirmed (healed)',
      'request → confirmed',
      'heal → confirmed',
      'longest unavailable while held',
      'leader cut off (moved there)',
      'cut → new leader named',
      'within',
      'no new leader',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
    ...f.faults.map((k) =>
      row([
        k.fault,
        `${k.confirmed} (${k.healed})`,
        n(k.confirmMs),
        n(k.healConfirmMs),
        n(k.longestUnavailableMs),
        k.leaderCutOff ? `${k.leaderCutOff} (${k.leaderMoved})` : '–',
        n(k.electionMs),
        k.electionResolutionMs.n ? d3(k.electionResolutionMs) : '–',
        k.leaderCutOff ? k.noElection : '–',
      ]),
    ),
    '',
  ];
}

/** One row per run: seed, run ID, verdict and what failed or erred. */
export function renderRuns(runs: readonly RunFigures[]): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/</g, '&lt;');
  return [
    row(['seed', 'run', 'verdict', 'checks failed or in error']),
    row(['---:', '---', '---', '---']),
    ...runs.map((r) => row([r.seed, `\`${r.runId}\``, r.verdict, r.problems.map(cell).join('<br>') || '–'])),
    '',
  ].join('\n');
}

/**
 * How far a set's runs judged STS-WRITES-DURABLE: passed, failed or in error (a member not
 * read back), or not reached (the run stopped before its writes were read back: no counts).
 */
export function durableRuns(runs: readonly RunFigures[]): string {
  const is = (r: RunFigures, s: string): boolean => r.problems.some((p) => p.startsWith(`STS-WRITES-DURABLE ${s}`));
  const failed = runs.filter((r) => is(r, 'failed')).length;
  const error = runs.filter((r) => is(r, 'error')).length;
  const judged = runs.filter((r) => r.writes.sent > 0 && !is(r, 'failed') && !is(r, 'error')).length;
  return `judged in ${judged} runs${failed ? `, failed in ${failed}` : ''}${error ? `, in error in ${error}` : ''}, not reached in ${runs.length - judged - failed - error}`;
}

/** One row per fault kind of each set (its name, runs and verdicts, and the writes lost over its runs). */
export function renderFaultSummary(
  sets: readonly { meta: { name: string }; runs: readonly RunFigures[]; figures: WorkloadFigures }[],
): string {
  const n = (d: Dist): string => (d.n === 0 ? '–' : `${d3(d)} (n ${d.n})`);
  return [
    row([
      'set',
      'runs: passed / failed / error',
      'fault',
      'confirmed (healed)',
      'request → confirmed',
      'heal → confirmed',
      'longest unavailable while held',
      'leader cut off → new leader named',
      'acked writes lost',
    ]),
    row(['---', '---', '---', '---:', '---:', '---:', '---:', '---:', '---:']),
    ...sets.flatMap(({ meta, runs, figures: f }) =>
      (f.faults ?? []).map((k) =>
        row([
          meta.name,
          `${f.runs}: ${f.verdicts.passed} / ${f.verdicts.failed} / ${f.verdicts.error}`,
          k.fault,
          `${k.confirmed} (${k.healed})`,
          n(k.confirmMs),
          n(k.healConfirmMs),
          n(k.longestUnavailableMs),
          k.leaderCutOff ? `${n(k.electionMs)}${k.noElection ? `, ${k.noElection} none` : ''}` : '–',
          `${f.writes.lost} of ${f.writes.acked} (${durableRuns(runs)})`,
        ]),
      ),
    ),
    '',
  ].join('\n');
}
