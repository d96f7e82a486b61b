// STS-DATA-SENTINEL: the strongest end-to-end signal that storage state survived; a
// PVC can keep its UID and still be backed by a wiped or different volume.
import type { CheckDefinition, CheckInput, CheckOutcome } from './api.ts';
import type { Evidence } from '../model.ts';
import type { SentinelRecord } from '../probes/records.ts';
import { errored, failed, firstOf, passed, skipped } from './support.ts';

export const dataSentinel: CheckDefinition = {
  id: 'STS-DATA-SENTINEL',
  guarantee: 'a sentinel written into each volume before chaos reads back unchanged after it',
  run: judgeSentinel,
};

const short = (sha: string): string => sha.slice(0, 12);
const describe = (s: SentinelRecord): string => `sha256 ${short(s.sha256)}…, ${s.bytes} bytes, token ${s.token ?? '(none)'}`;

function judgeSentinel(input: CheckInput): CheckOutcome {
  const { workload, baseline, after } = input;
  if (workload.claimTemplates.length === 0) return skipped('the StatefulSet has no volumes to hold a sentinel');
  const off = baseline.skippedProbes?.sentinel;
  if (off !== undefined) return skipped(`no sentinel was written: ${off}`);
  const problems: string[] = [];
  const evidence: Evidence[] = [];
  const ok: Evidence[] = [];
  const verified: string[] = [];
  // Reads that never happened (exec transport failure): nothing is known, so `error`.
  const unseen: Evidence[] = [];
  const fail = (message: string, e: Evidence): void => {
    problems.push(message);
    evidence.push(e);
  };

  for (const pod of baseline.pods) {
    if (!baseline.sentinels.some((s) => s.pod === pod.name)) {
      fail(`no sentinel was written for ${pod.name} before chaos`, { subject: `pod ${pod.name}`, expected: 'a baseline sentinel', observed: 'none' });
    }
  }
  for (const b of baseline.sentinels) {
    const subject = `sentinel ${b.pod}:${b.path}`;
    if (b.error !== undefined || b.token === undefined) {
      fail(`the sentinel for ${b.pod} could not be written: ${b.error ?? 'no token recorded'}`, {
        subject,
        expected: 'a written sentinel',
        observed: b.error ?? 'no token',
        at: baseline.t,
      });
      continue;
    }
    const a = after.sentinels.find((s) => s.pod === b.pod && s.path === b.path);
    if (!a) {
      fail(`no sentinel was read back from ${b.pod}:${b.path} after chaos`, { subject, expected: describe(b), observed: 'not read', at: after.t });
      continue;
    }
    if (a.error !== undefined && a.unobserved) {
      unseen.push({ subject, expected: describe(b), observed: `not observed: ${a.error}`, at: after.t, note: 'the read could not be made; the file may be intact' });
      continue;
    }
    if (a.error !== undefined) {
      fail(`reading the sentinel from ${b.pod} failed after chaos: ${a.error}`, { subject, expected: describe(b), observed: `error: ${a.error}`, at: after.t });
      continue;
    }
    if (a.token !== b.token || a.sha256 !== b.sha256 || a.bytes !== b.bytes) {
      fail(`the sentinel in ${b.pod} changed: ${describe(a)}, expected ${describe(b)}`, { subject, expected: describe(b), observed: describe(a), at: after.t });
      continue;
    }
    ok.push({ subject, observed: `unchanged: ${describe(a)}`, at: after.t });
    verified.push(b.pod);
  }
  if (problems.length > 0) return failed(firstOf(problems), [...evidence, ...unseen]);
  if (unseen.length > 0) return errored(`could not read the sentinel back from ${unseen.map((e) => e.subject).join(', ')}: ${unseen[0]?.observed ?? ''}`, [...unseen, ...ok]);
  if (ok.length === 0) return failed('no sentinel was recorded in the baseline; nothing was verified', []);
  return passed(`${ok.length} sentinels read back byte for byte: ${verified.join(', ')}`, ok);
}
