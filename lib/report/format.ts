// Plain-text renderings shared by the JUnit, HTML and GitHub outputs.
import type { Evidence } from '../model.ts';

/** "850 ms", "3.42 s", "4 m 05 s". */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  const m = Math.floor(totalSeconds / 60);
  const s = totalSeconds % 60;
  return `${m} m ${String(s).padStart(2, '0')} s`;
}

/** Run-relative time as the reports print it: "t+12.345 s". */
export function formatRunTime(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  return `t+${(ms / 1000).toFixed(3)} s`;
}

/** One line per fact, readable in a CI log or a JUnit failure body. */
export function evidenceText(e: Evidence): string {
  const parts = [e.subject];
  if (e.expected !== undefined) parts.push(`expected ${e.expected}`);
  if (e.observed !== undefined) parts.push(`observed ${e.observed}`);
  if (e.at !== undefined) parts.push(`at ${formatRunTime(e.at)}`);
  if (e.note !== undefined) parts.push(e.note);
  if (e.context?.length) parts.push(`context: ${e.context.join('; ')}`);
  return parts.join('; ');
}
