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

interface Findings {
  problems: string[];
  evidence: Evidence[];
  ok: Evidence[];
  verified: string[];
  /** Reads that never happened (exec transport failure): nothing is known, so `error`. */
  unseen: Evidence[];
}

const fail = (f: Findings, message: string, e: Evidence): void => {
  f.problems.push(message);
  f.evidence.push(e);
};

function judgeSentinel(input: CheckInput): CheckOutcome {
  const { workload, baseline } = input;
  if (workload.claimTemplates.length === 0) return skipped('the StatefulSet has no volumes to hold a sentinel');
  const off = baseline.skippedProbes?.sentinel;
  if (off !== undefined) return skipped(`no sentinel was written: ${off}`);
  const f: Findings = { problems: [], evidence: [], ok: [], verified: [], unseen: [] };
  for (const pod of baseline.pods) {
    if (!baseline.sentinels.some((s) => s.pod === pod.name)) {
      fail(f, `no sentinel was written for ${pod.name} before chaos`, {
        subject: `pod ${pod.name}`,
        expected: 'a baseline sentinel',
        observed: 'none',
      });
    }
  }
  for (const b of baseline.sentinels) judgeReadBack(input, b, f);
  const { problems, evidence, ok, verified, unseen } = f;
  if (problems.length > 0) return failed(firstOf(problems), [...evidence, ...unseen]);
  if (unseen.length > 0)
    return errored(`could not read the sentinel back from ${unseen.map((e) => e.subject).join(', ')}: ${unseen[0]?.observed ?? ''}`, [
      ...unseen,
      ...ok,
    ]);
  if (ok.length === 0) return failed('no sentinel was recorded in the baseline; nothing was verified', []);
  return passed(`${ok.length} sentinels read back byte for byte: ${verified.join(', ')}`, ok);
}

/** One baseline sentinel against what was read back from the same pod and path after chaos. */
function judgeReadBack({ baseline, after }: CheckInput, b: SentinelRecord, f: Findings): void {
  const subject = `sentinel ${b.pod}:${b.path}`;
  if (b.error !== undefined || b.token === undefined) {
    fail(f, `the sentinel for ${b.pod} could not be written: ${b.error ?? 'no token recorded'}`, {
      subject,
      expected: 'a written sentinel',
      observed: b.error ?? 'no token',
      at: baseline.t,
    });
    return;
  }
  const a = after.sentinels.find((s) => s.pod === b.pod && s.path === b.path);
  if (!a) {
    fail(f, `no sentinel was read back from ${b.pod}:${b.path} after chaos`, {
      subject,
      expected: describe(b),
      observed: 'not read',
      at: after.t,
    });
    return;
  }
  if (a.error !== undefined && a.unobserved) {
    f.unseen.push({
      subject,
      expected: describe(b),
      observed: `not observed: ${a.error}`,
      at: after.t,
      note: 'the read could not be made; the file may be intact',
    });
    return;
  }
  if (a.error !== undefined) {
    fail(f, `reading the sentinel from ${b.pod} failed after chaos: ${a.error}`, {
      subject,
      expected: describe(b),
      observed: `error: ${a.error}`,
      at: after.t,
    });
    return;
  }
  if (a.token !== b.token || a.sha256 !== b.sha256 || a.bytes !== b.bytes) {
    fail(f, `the sentinel in ${b.pod} changed: ${describe(a)}, expected ${describe(b)}`, {
      subject,
      expected: describe(b),
      observed: describe(a),
      at: after.t,
    });
    return;
  }
  f.ok.push({ subject, observed: `unchanged: ${describe(a)}`, at: after.t });
  f.verified.push(b.pod);
}
