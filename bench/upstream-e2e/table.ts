// The side-by-side table of `npm run bench:upstream`, as pure functions over what the
// run recorded: the ginkgo JSON reports of the upstream e2e.test, the mapping
// (mapping.ts) and the Ordinal runs' results. report.ts reads the files and writes them.
import { type Coverage, UPSTREAM_SPECS } from './mapping.ts';

/** The part of a ginkgo v2 `types.SpecReport` the table reads. */
export interface GinkgoSpecReport {
  ContainerHierarchyTexts: string[] | null;
  LeafNodeText: string;
  LeafNodeType: string;
  State: string;
  /** Nanoseconds. */
  RunTime: number;
  Failure?: { Message?: string; Location?: { FileName?: string; LineNumber?: number } };
}

export interface GinkgoReport {
  SuiteDescription?: string;
  SpecReports: GinkgoSpecReport[] | null;
}

/** An Ordinal run the script made, with its wall time and its checks' outcomes. */
export interface OrdinalRun {
  /** Its key in mapping.ts ORDINAL_RUNS. */
  name: string;
  command: string;
  wallSeconds: number;
  exitCode: number;
  checks: Record<string, string>;
}

export interface Row {
  group: string;
  spec: string;
  verdict: string;
  seconds: number | null;
  /** Why it was not run, or the first line of its failure. */
  detail: string;
  checks: readonly string[];
  /** Each mapped check's outcome in the covering Ordinal run, e.g. `passed`. */
  checkOutcomes: Record<string, string>;
  ordinalRun: string | null;
  ordinalSeconds: number | null;
  coverage: Coverage | 'unmapped';
  note: string;
}

const SIG = '[sig-apps] StatefulSet';

/** Specs the script does not run, and why (keyed by a containing describe or the spec). */
export const NOT_RUN: readonly { match: string; reason: string }[] = [
  {
    match: 'Deploy clustered applications',
    reason: 'needs zookeeper, mysql-galera and CockroachDB images from public registries; the local cluster has no registry access',
  },
];

/** A leaf text without the labels ginkgo appends (` [Slow] [Conformance]`). */
export const specName = (leaf: string): string => leaf.replace(/(\s+\[[^\]]+\])+$/, '');

const firstLine = (s: string | undefined): string =>
  (s ?? '')
    .split('\n')
    .find((l) => l.trim() !== '')
    ?.trim() ?? '';

/** The StatefulSet `It`s of the reports, the last report winning for a spec run twice. */
export function statefulSetSpecs(reports: readonly GinkgoReport[]): Map<string, GinkgoSpecReport> {
  const out = new Map<string, GinkgoSpecReport>();
  for (const report of reports) {
    for (const s of report.SpecReports ?? []) {
      const containers = s.ContainerHierarchyTexts ?? [];
      if (s.LeafNodeType !== 'It' || containers[0] !== SIG) continue;
      const name = specName(s.LeafNodeText);
      const previous = out.get(name);
      // A spec filtered out of one invocation (skipped, no time) is run by another.
      if (previous && previous.State !== 'skipped' && s.State === 'skipped') continue;
      out.set(name, s);
    }
  }
  return out;
}

export function buildRows(reports: readonly GinkgoReport[], ordinal: readonly OrdinalRun[]): Row[] {
  const specs = statefulSetSpecs(reports);
  // The mapping's order (the source file's), then any spec the mapping does not know.
  const names = UPSTREAM_SPECS.map((m) => m.spec);
  for (const name of specs.keys()) if (!names.includes(name)) names.push(name);
  return names.map((name) => {
    const s = specs.get(name);
    const m = UPSTREAM_SPECS.find((x) => x.spec === name);
    const containers = (s?.ContainerHierarchyTexts ?? []).slice(1);
    const notRun = NOT_RUN.find((n) => containers.some((c) => c.includes(n.match)) || name.includes(n.match));
    const clustered = notRun !== undefined;
    const runName = m?.run ?? (clustered ? 'primary-replica' : 'web');
    const run = m && m.checks.length > 0 ? (ordinal.find((r) => r.name === runName) ?? null) : null;
    let verdict: string;
    let detail = '';
    if (!s) {
      verdict = 'absent';
      detail = 'not in this e2e.test (another Kubernetes version?)';
    } else if (s.State === 'skipped' && s.RunTime === 0) {
      verdict = 'not run';
      detail = notRun?.reason ?? 'not selected (--focus, or --no-disruptive)';
    } else {
      verdict = s.State;
      if (s.State !== 'passed') detail = firstLine(s.Failure?.Message);
    }
    const outcomes: Record<string, string> = {};
    for (const id of m?.checks ?? []) outcomes[id] = run?.checks[id] ?? 'not run';
    return {
      group: containers.join(' / '),
      spec: s?.LeafNodeText ?? name,
      verdict,
      seconds: s && verdict !== 'not run' ? Math.round(s.RunTime / 1e8) / 10 : null,
      detail,
      checks: m?.checks ?? [],
      checkOutcomes: outcomes,
      ordinalRun: run?.command ?? null,
      ordinalSeconds: run ? Math.round(run.wallSeconds * 10) / 10 : null,
      coverage: m?.coverage ?? 'unmapped',
      note: m?.note ?? 'not in bench/upstream-e2e/mapping.ts: review it against docs/checks.md',
    };
  });
}

export interface Summary {
  specs: number;
  run: number;
  byVerdict: Record<string, number>;
  upstreamSeconds: number;
  ordinalSeconds: number;
  covered: number;
  partial: number;
  uncovered: string[];
}

export function summarize(rows: readonly Row[], ordinal: readonly OrdinalRun[]): Summary {
  const byVerdict: Record<string, number> = {};
  for (const r of rows) byVerdict[r.verdict] = (byVerdict[r.verdict] ?? 0) + 1;
  const ran = rows.filter((r) => r.seconds !== null);
  return {
    specs: rows.length,
    run: ran.length,
    byVerdict,
    upstreamSeconds: Math.round(ran.reduce((a, r) => a + (r.seconds ?? 0), 0) * 10) / 10,
    ordinalSeconds: Math.round(ordinal.reduce((a, r) => a + r.wallSeconds, 0) * 10) / 10,
    covered: rows.filter((r) => r.coverage === 'covered').length,
    partial: rows.filter((r) => r.coverage === 'partial').length,
    uncovered: rows.filter((r) => r.coverage === 'none' || r.coverage === 'unmapped').map((r) => r.spec),
  };
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdown(rows: readonly Row[], ordinal: readonly OrdinalRun[], context: readonly string[]): string {
  const sum = summarize(rows, ordinal);
  const verdicts = Object.entries(sum.byVerdict)
    .map(([v, n]) => `${n} ${v}`)
    .join(', ');
  const out = [
    '# Upstream StatefulSet e2e vs Ordinal',
    '',
    ...context.map((c) => `- ${c}`),
    `- Upstream: ${sum.specs} specs: ${verdicts}; ${sum.upstreamSeconds} s over the ${sum.run} run.`,
    `- Ordinal: ${ordinal.map((r) => `\`${r.command}\` ${r.wallSeconds.toFixed(1)} s (exit ${r.exitCode})`).join('; ') || 'not run'}.`,
    `- Coverage by Ordinal's checks, of ${sum.specs} specs: ${sum.covered} covered, ${sum.partial} partly, ${sum.uncovered.length} not at all.`,
    '',
    '| Upstream spec | Verdict | s | Ordinal checks | Ordinal s | Coverage |',
    '|---|---|---:|---|---:|---|',
  ];
  for (const r of rows) {
    const checks = r.checks.map((id) => `${id} (${r.checkOutcomes[id]})`).join(', ') || '—';
    const verdict = r.detail ? `${r.verdict}: ${r.detail}` : r.verdict;
    out.push(
      `| ${cell(r.group ? `${r.group} / ${r.spec}` : r.spec)} | ${cell(verdict)} | ${r.seconds ?? '—'} | ${cell(checks)} | ${r.ordinalSeconds ?? '—'} | ${r.coverage}: ${cell(r.note)} |`,
    );
  }
  out.push('');
  return out.join('\n');
}
