// GitHub Actions output: workflow-command annotations for the log and a Markdown block
// for $GITHUB_STEP_SUMMARY.
import type { CheckResult } from '../checks/api.ts';
import type { RunResult } from '../run/results-schema.ts';
import { stripAnsi } from './escape.ts';
import { evidenceText, formatDuration } from './format.ts';
import { describeVolumes } from '../timeline/volumes.ts';
import { countStatuses, nodeMoves, readyStats, recoveryByDisruption, reportOrder, runProblem, verdictOf } from './stats.ts';

// The runner decodes %25, %0D, %0A in the message and additionally %3A and %2C in
// properties; anything else would end the command early or split it into two.
// Other controls are dropped: a NUL or a C1 CSI in a log line is never useful to a reader.
function escapeData(text: string): string {
  return stripAnsi(text)
    .toWellFormed()
    .replace(/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, '')
    .replace(/%/g, '%25')
    .replace(/\r/g, '%0D')
    .replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One `::error` line per failed or errored check, plus one for a run that could not finish. */
export function githubAnnotations(result: RunResult): string[] {
  const lines = result.checks
    .filter((c) => c.status === 'failed' || c.status === 'error')
    .map((c) => `::error title=${escapeProperty(c.id)}::${escapeData(annotationText(c))}`);
  const problem = runProblem(result);
  if (problem) {
    const text = problem.detail ? `${problem.message}\n${problem.detail}` : problem.message;
    lines.push(`::error title=ordinal.run::${escapeData(`run error: ${text}`)}`);
  }
  return lines;
}

function annotationText(check: CheckResult): string {
  const head = `${check.status === 'error' ? 'error' : 'failed'}: ${check.guarantee} — ${check.message}`;
  return [head, ...check.evidence.map((e) => `• ${evidenceText(e)}`)].join('\n');
}

const EMOJI: Record<CheckResult['status'], string> = {
  passed: '✅',
  failed: '❌',
  error: '⚠️',
  skipped: '⏭️',
};

/**
 * Table cells: `|` would end the cell and a newline the row; `<` and `&` are escaped
 * because GitHub renders inline HTML in summaries.
 */
function cell(text: string): string {
  return stripAnsi(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .toWellFormed();
}

/** A fence longer than any backtick run inside, so the command cannot close it early. */
function codeBlock(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}sh\n${stripAnsi(text).replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')}\n${fence}`;
}

export function githubSummaryMarkdown(result: RunResult): string {
  const counts = countStatuses(result.checks);
  const verdict = verdictOf(result);
  const icon = verdict === 'PASSED' ? '✅' : verdict === 'FAILED' ? '❌' : '⚠️';
  const out: string[] = [
    `## ${icon} Ordinal ${verdict}`,
    '',
    `**${counts.failed} failed · ${counts.error} error · ${counts.passed} passed · ${counts.skipped} skipped** ` +
      `of ${counts.total} checks in ${formatDuration(result.durationMs)} — ` +
      `${cell(result.workload.statefulSet)} × ${result.workload.replicas} on ${cell(result.cluster.version)}, ` +
      `seed ${result.seed}`,
    '',
  ];
  const problem = runProblem(result);
  if (problem) out.push(`> [!CAUTION]`, `> **Run error:** ${cell(problem.message)}`, '');

  out.push('| | Check | Guarantee | Result |', '|---|---|---|---|');
  for (const c of reportOrder(result.checks)) {
    // <code>, not backticks: entities are not decoded inside a Markdown code span.
    out.push(`| ${EMOJI[c.status]} | <code>${cell(c.id)}</code> | ${cell(c.guarantee)} | ${cell(c.message)} |`);
  }
  out.push('');

  if (result.rounds.length > 0) {
    out.push(
      '### Recovery (kill → Ready)',
      '',
      '| Round | Pattern | Killed | Recovered | p50 | p95 | max |',
      '|---|---|---|---|---|---|---|',
    );
    for (const round of result.rounds) {
      const s = readyStats(round.recoveries);
      const killed = round.plan.kills.map((k) => `${k.pod} (${k.action})`).join(', ');
      out.push(
        `| ${round.plan.round} | ${cell(round.plan.pattern ?? '—')} | ${cell(killed)} | ${s.recovered}/${s.killed} | ${formatDuration(s.p50)} | ` +
          `${formatDuration(s.p95)} | ${formatDuration(s.max)} |`,
      );
    }
    out.push('');
    const kinds = result.recoveryByDisruption ?? recoveryByDisruption(result.rounds);
    out.push(
      '### Recovery per disruption (kill → Ready)',
      '',
      '| Disruption | Kills | Recovered | Refused | p50 | p95 | max |',
      '|---|---|---|---|---|---|---|',
    );
    for (const k of kinds) {
      out.push(
        `| ${cell(k.disruption)} | ${k.killed} | ${k.recovered} | ${k.refused} | ${formatDuration(k.p50Ms)} | ${formatDuration(k.p95Ms)} | ${formatDuration(k.maxMs)} |`,
      );
    }
    out.push('');
    const moves = nodeMoves(result.rounds);
    if (moves.known > 0) out.push(`Replacements on another node than the killed pod: **${moves.moved}** of ${moves.known}.`, '');
  }
  if (result.volumes) {
    out.push(`Volumes: ${cell(describeVolumes(result.volumes))}.`, '');
  }

  out.push(...trafficMarkdown(result));
  out.push('Replay this run:', '', codeBlock(result.replay), '');
  return out.join('\n');
}

// Availability during chaos: a figure, not a check (STS-WRITES-DURABLE is in the table above).
function trafficMarkdown(result: RunResult): string[] {
  const t = result.traffic;
  if (!t || t.skip !== undefined) return [];
  const pct = (f: number | undefined): string => (f === undefined ? 'n/a' : `${(f * 100).toFixed(1)}%`);
  const c = t.counts;
  const out = [
    `### Traffic during chaos (${cell(t.driver ?? '')}, ${t.ratePerSecond ?? '?'}/s)`,
    '',
    `${c.sent} writes, ${c.acked} acknowledged (${pct(t.availability.overall.fraction)}), **${c.lost} lost**, ${c.indeterminate} indeterminate, ${c.failedWrites} failed` +
      (t.error ? ` — ${cell(t.error)}` : ''),
    '',
    '| Pod | Sent | Acknowledged |',
    '|---|---|---|',
    ...t.availability.perPod.map((p) => `| ${cell(p.pod)} | ${p.sent} | ${p.acked} (${pct(p.fraction)}) |`),
    '',
  ];
  if (t.availability.rounds.length > 0) {
    out.push('| Round | Longest unavailable | Pod |', '|---|---|---|');
    for (const r of t.availability.rounds) out.push(`| ${r.round} | ${formatDuration(r.longestUnavailableMs)} | ${cell(r.pod ?? '—')} |`);
    out.push('');
  }
  if (t.availability.byFault?.length) {
    out.push(
      '| Fault kind | Faults | Acknowledged (all pods) | Acknowledged (faulted pods) | Longest unavailable p50 | p95 | max |',
      '|---|---|---|---|---|---|---|',
    );
    for (const k of t.availability.byFault) {
      const u = k.longestUnavailableMs;
      out.push(
        `| ${cell(k.kind)} | ${k.faults} | ${k.all.acked}/${k.all.sent} (${pct(k.all.fraction)}) | ${k.targets.acked}/${k.targets.sent} (${pct(k.targets.fraction)}) | ` +
          `${formatDuration(u.p50)} | ${formatDuration(u.p95)} | ${formatDuration(u.max)} |`,
      );
    }
    out.push('');
  }
  return out;
}
