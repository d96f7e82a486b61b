// Assertions shared by the check specs: a failure must be a one-line message plus
// evidence, and must name the pod/claim/value that broke where a report reader sees it.
import { expect } from 'chai';
import { runChecks } from '../../../lib/checks/catalog.ts';
import type { CheckInput, CheckResult } from '../../../lib/checks/api.ts';

export function resultOf(input: CheckInput, id: string): CheckResult {
  const r = runChecks(input).find((x) => x.id === id);
  if (!r) throw new Error(`no result for ${id}`);
  return r;
}

export function expectFailure(result: CheckResult, ...needles: string[]): void {
  expect(result.status, `${result.id}: ${result.message}`).to.equal('failed');
  expect(result.message).to.not.match(/\n/);
  expect(result.evidence).to.not.be.empty;
  const shown = `${result.message}\n${JSON.stringify(result.evidence)}`;
  for (const n of needles) expect(shown, `${result.id} should mention ${n}`).to.include(n);
}
