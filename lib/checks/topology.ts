// STS-TOPOLOGY-PRIMARY: topology state. Replicas find the primary only by its stable
// DNS name (<sts>-0.<svc>...), so a replica recreated after the primary was killed
// can hold the primary's data only if that name followed the primary to its new pod.
import type { CheckDefinition, CheckInput, CheckOutcome, Evidence, TopologySnapshot } from '../types.ts';
import { failed, firstOf, passed, skipped } from './support.ts';

export const topologyPrimary: CheckDefinition = {
  id: 'STS-TOPOLOGY-PRIMARY',
  guarantee: 'every replica holds the data it fetched from the primary by its stable DNS name, before and after chaos',
  run: judgeTopology,
};

const show = (data: string | undefined): string => (data === undefined ? '(none)' : `${data.length} bytes ${JSON.stringify(data.slice(0, 24))}${data.length > 24 ? '…' : ''}`);

function judgeSnapshot(label: string, t: TopologySnapshot, at: number, problems: string[], evidence: Evidence[]): void {
  if (t.primaryData === undefined || t.primaryData.length === 0) {
    problems.push(`${label}: the primary ${t.primary} has no data (${t.error ?? 'empty file'})`);
    evidence.push({ subject: `primary ${t.primary}`, expected: 'non-empty primary data', observed: t.error ?? 'empty', at });
    return;
  }
  for (const c of t.copies) {
    if (c.data !== t.primaryData) {
      problems.push(`${label}: replica ${c.pod} holds ${c.error ? `no copy (${c.error})` : 'a copy that differs from the primary'}`);
      evidence.push({ subject: `replica ${c.pod}`, expected: show(t.primaryData), observed: c.error ?? show(c.data), at });
    }
  }
}

function judgeTopology(input: CheckInput): CheckOutcome {
  const { baseline, after } = input;
  if (!baseline.topology && !after.topology) return skipped('the workload has no primary/replica topology');
  if (!baseline.topology || !after.topology) {
    return failed('topology was recorded in only one snapshot', [{ subject: 'topology', expected: 'baseline and after', observed: baseline.topology ? 'baseline only' : 'after only' }]);
  }
  const replicas = after.topology.copies.map((c) => c.pod);
  if (replicas.length === 0) return skipped('there are no replicas (replicas = 1)');
  const problems: string[] = [];
  const evidence: Evidence[] = [];
  judgeSnapshot('before chaos', baseline.topology, baseline.t, problems, evidence);
  judgeSnapshot('after chaos', after.topology, after.t, problems, evidence);
  if (baseline.topology.primaryData !== undefined && after.topology.primaryData !== baseline.topology.primaryData) {
    problems.push(`the primary's data changed across chaos`);
    evidence.push({ subject: `primary ${after.topology.primary}`, expected: show(baseline.topology.primaryData), observed: show(after.topology.primaryData), at: after.t });
  }
  if (problems.length) return failed(firstOf(problems), evidence);
  return passed(`${replicas.length} replicas hold the primary's data before and after chaos: ${replicas.join(', ')}`, [
    { subject: `primary ${after.topology.primary}`, observed: show(after.topology.primaryData), note: 'unchanged across chaos' },
    ...replicas.map((r) => ({ subject: `replica ${r}`, observed: 'identical copy', at: after.t })),
  ]);
}
