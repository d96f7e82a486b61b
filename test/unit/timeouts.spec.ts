// lib/timeouts.ts is the one place a wait's budget is written down: the budgets --timeout
// sets follow it, the fixed ones do not, and no numeric literal is passed to a wait
// anywhere else in lib/ (the scanner in helpers/literal-waits.ts reads the syntax tree;
// it does not see figures computed inside a callback, e.g. a clamp inside a map()).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parseRunArgs } from '../../lib/cli/args.ts';
import { DEFAULT_TIMEOUT_SECONDS, TIMEOUTS, runTimeouts, timeLeft } from '../../lib/timeouts.ts';
import { findLiteralWaits, isWaitName } from './helpers/literal-waits.ts';

const LIB = join(import.meta.dirname, '..', '..', 'lib');

describe('timeouts', () => {
  it('no wait in lib/ is given a literal budget, deadline or pause (only lib/timeouts.ts holds figures)', () => {
    const files = (readdirSync(LIB, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && f !== 'timeouts.ts');
    expect(files.length).to.be.greaterThan(100);
    const found = files.flatMap((f) =>
      findLiteralWaits(readFileSync(join(LIB, f), 'utf8'), f).map((w) => `lib/${f}:${w.line}: ${w.literal} in ${w.where}`),
    );
    expect(found, `name these in lib/timeouts.ts:\n${found.join('\n')}`).to.deep.equal([]);
  });

  it('the scanner finds a literal in every kind of wait position', () => {
    const planted = [
      'setTimeout(r, 500);',
      'await sleep(2000);',
      'const exec = clusterExec(cluster, ns, Date.now() + 30_000);',
      'await rec.waitFor({ describe: "x", timeoutMs: Math.min(20_000, left()), until: () => true });',
      'const SETTLE_MS = 10_000;',
      'function execIn(pod: string, timeoutMs = 30_000) {}',
      'if (now() + 2000 > deadline) return;',
      'const hold = (params.hold ?? 5) * 1000;',
      'retryTransient(f, { deadline: performance.now() + 60_000, what: "read" });',
    ];
    for (const line of planted) expect(findLiteralWaits(line), line).to.have.length(1);
  });

  it('the scanner leaves named budgets, unit conversions, indexes, probe settings and callbacks alone', () => {
    const clean = [
      'const exec = clusterExec(cluster, ns, Date.now() + TIMEOUTS.exec);',
      'const hold = (params.hold ?? PARAMS.hold.min) * 1000;',
      'const until = entries[i + 1] ?? e;',
      'const probe = { periodSeconds: 1, failureThreshold: 1 };',
      'await rec.waitFor({ describe: "x", timeoutMs: timeLeft(deadline), until: () => (n % 6 === 0 ? true : undefined) });',
      'setTimeout(r, 0);',
      'const rounds = 3;',
    ];
    for (const line of clean) expect(findLiteralWaits(line), line).to.deep.equal([]);
    expect(['timeoutMs', 'ONDELETE_HOLD_MS', 'deadline', 'intervalMs'].map(isWaitName)).to.deep.equal([true, true, true, true]);
    expect(['failureThreshold', 'threshold', 'left', 'rounds'].map(isWaitName)).to.deep.equal([false, false, false, false]);
  });

  it('--timeout sets every run budget, and only those (--dns-budget sets dns)', () => {
    const keys = ['stsSupport', 'rollout', 'round', 'traffic', 'scaleDown', 'claimsSettle', 'statefulSetDelete'];
    for (const seconds of [10, 300, 7200]) {
      const t = runTimeouts(seconds, 7);
      expect(t.dns).to.equal(7000);
      expect(Object.keys(t).sort()).to.deep.equal([...keys, 'dns'].sort());
      for (const k of keys) expect(t[k as keyof typeof t], `${k} at --timeout ${seconds}`).to.equal(seconds * 1000);
    }
    const fixed = structuredClone(TIMEOUTS);
    runTimeouts(10, 60);
    expect(TIMEOUTS).to.deep.equal(fixed);
  });

  it('--timeout defaults to DEFAULT_TIMEOUT_SECONDS, and --timeout 42 gives 42 s budgets', () => {
    expect(parseRunArgs([]).timeoutSeconds).to.equal(DEFAULT_TIMEOUT_SECONDS);
    expect(runTimeouts(parseRunArgs(['--timeout', '42']).timeoutSeconds, 60).rollout).to.equal(42_000);
  });

  it('timeLeft gives what is left of a deadline, but at least one last look', () => {
    expect(timeLeft(Date.now() - 5000)).to.equal(TIMEOUTS.lastLook);
    expect(timeLeft(Date.now() + 60_000)).to.be.within(59_000, 60_000);
  });
});
