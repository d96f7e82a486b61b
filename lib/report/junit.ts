// junit.xml for CI test views (GitLab, Jenkins, dorny/mikepenz on GitHub). A broken
// guarantee is a <failure>, a harness or cluster problem an <error>, so CI can tell a
// cluster that broke a promise from a run that could not judge it.
import type { CheckResult } from '../checks/api.ts';
import type { Evidence } from '../model.ts';
import type { RunResult } from '../run/results-schema.ts';
import { cdata, xmlAttr } from './escape.ts';
import { evidenceText } from './format.ts';
import { countStatuses, runProblem } from './stats.ts';

export function renderJunit(result: RunResult): string {
  const counts = countStatuses(result.checks);
  const problem = runProblem(result);
  const classname = `ordinal.${result.workload.kind}`;
  const cases = result.checks.map((c) => testcase(c, classname));
  // A run error is reported even next to check results: otherwise a run that died after
  // three passing checks would show green in CI.
  if (problem) cases.push(runErrorCase(problem));

  const totals = {
    tests: cases.length,
    failures: counts.failed,
    errors: counts.error + (problem ? 1 : 0),
    skipped: counts.skipped,
    time: seconds(result.durationMs),
  };
  const totalAttrs = Object.entries(totals)
    .map(([k, v]) => `${k}="${xmlAttr(v)}"`)
    .join(' ');
  const timestamp = isoOrUndefined(result.startedAt);

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="ordinal" ${totalAttrs}>`,
    `  <testsuite name="ordinal" ${totalAttrs}${timestamp ? ` timestamp="${xmlAttr(timestamp)}"` : ''}` +
      ` hostname="${xmlAttr(result.cluster.context)}">`,
    '    <properties>',
    ...properties(result).map(([name, value]) => `      <property name="${xmlAttr(name)}" value="${xmlAttr(value)}"/>`),
    '    </properties>',
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function properties(result: RunResult): [string, string | number][] {
  const w = result.workload;
  return [
    ['ordinal.runId', result.runId],
    ['ordinal.version', result.tool.version],
    ['ordinal.seed', result.seed],
    ['ordinal.replay', result.replay],
    ['cluster.server', result.cluster.server],
    ['cluster.context', result.cluster.context],
    ['cluster.version', result.cluster.version],
    ['cluster.storageClass', result.cluster.storageClass],
    ['workload.kind', w.kind],
    ['workload.namespace', w.namespace],
    ['workload.statefulSet', w.statefulSet],
    ['workload.replicas', w.replicas],
    ['workload.podManagementPolicy', w.podManagementPolicy],
    ['workload.image', result.cluster.image],
  ];
}

function testcase(check: CheckResult, classname: string): string {
  const open =
    `    <testcase classname="${xmlAttr(classname)}" name="${xmlAttr(`${check.id} ${check.guarantee}`)}"` +
    ` time="${seconds(check.durationMs)}"`;
  const body = bodyText(check.message, check.evidence);
  switch (check.status) {
    case 'failed':
      return `${open}>\n      <failure message="${xmlAttr(check.message)}" type="${xmlAttr(check.id)}">${cdata(body)}</failure>\n    </testcase>`;
    case 'error':
      return `${open}>\n      <error message="${xmlAttr(check.message)}" type="${xmlAttr(check.id)}">${cdata(body)}</error>\n    </testcase>`;
    case 'skipped':
      return `${open}>\n      <skipped message="${xmlAttr(check.message)}"/>\n    </testcase>`;
    case 'passed':
      // Passed checks keep their evidence too: "why did this pass" is a fair question.
      return check.evidence.length > 0 ? `${open}>\n      <system-out>${cdata(body)}</system-out>\n    </testcase>` : `${open}/>`;
  }
}

function runErrorCase(problem: { message: string; detail?: string }): string {
  const body = problem.detail ? `${problem.message}\n\n${problem.detail}` : problem.message;
  return (
    `    <testcase classname="ordinal.run" name="ordinal.run" time="0">\n` +
    `      <error message="${xmlAttr(problem.message)}" type="ordinal.run">${cdata(body)}</error>\n` +
    `    </testcase>`
  );
}

function bodyText(message: string, evidence: readonly Evidence[]): string {
  if (evidence.length === 0) return message;
  return `${message}\n\nEvidence:\n${evidence.map((e) => `- ${evidenceText(e)}`).join('\n')}`;
}

function seconds(ms: number): string {
  return Number.isFinite(ms) ? (Math.max(0, ms) / 1000).toFixed(3) : '0';
}

function isoOrUndefined(text: string): string | undefined {
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
