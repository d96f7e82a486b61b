// The recorder's outage bookkeeping and the shared transient-retry helper, as pure logic:
// when a gap starts and ends, how long to back off, what a wait that ran out says, and
// which errors are worth retrying at all.
import { expect } from 'chai';
import { ObservationError } from '../../../lib/errors.ts';
import { backoffMs, isTransient, retryTransient } from '../../../lib/cluster/retry.ts';
import { WatchHealth, describeGap } from '../../../lib/observe/watch-gaps.ts';

const refused = (): Error =>
  Object.assign(new Error('fetch failed'), {
    cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }),
  });
const api = (code: number): Error => Object.assign(new Error(`HTTP-Code: ${code}`), { code });

describe('watch gaps', () => {
  it('backs off 0.5 s, doubling, capped at 5 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20].map(backoffMs)).to.deep.equal([0, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it('a gap runs from when the watch closed to when it was re-established, with the first error', () => {
    const h = new WatchHealth();
    h.closed('Pod', 1000);
    expect(h.failed('Pod', 1002, 'ECONNREFUSED')).to.equal(500);
    expect(h.failed('Pod', 1600, 'ECONNREFUSED again')).to.equal(1000);
    expect(h.outages()).to.deep.equal([
      { kind: 'Pod', since: 1000, failures: 2, firstError: 'ECONNREFUSED', lastError: 'ECONNREFUSED again' },
    ]);
    expect(h.describe(42_200)).to.equal(
      'the watch on Pod has been down since t=1.0s (41.2s, 2 failed attempts; last error: ECONNREFUSED again)',
    );
    const gap = h.reestablished('Pod', 42_200);
    expect(gap).to.deep.equal({ kind: 'Pod', from: 1000, to: 42_200, reason: 'ECONNREFUSED' });
    expect(describeGap(gap!, 2)).to.equal('API watch on Pod was down 41.2s; re-listed, 2 changes reconciled (ECONNREFUSED)');
    expect(h.outages()).to.deep.equal([]);
  });

  it('a watch that closes and re-lists at once is no gap; failures start the backoff afresh after recovery', () => {
    const h = new WatchHealth();
    h.closed('Event', 5);
    expect(h.reestablished('Event', 9)).to.equal(undefined);
    h.failed('Event', 10, 'x');
    h.failed('Event', 11, 'x');
    h.reestablished('Event', 12);
    expect(h.failed('Event', 20, 'y')).to.equal(500);
    expect(h.outages()[0]?.since).to.equal(20); // no close recorded: the failure itself starts it
  });

  it('describe() leaves out the kinds a wait does not depend on', () => {
    const h = new WatchHealth();
    h.failed('ConfigMap', 0, 'down');
    expect(h.describe(100, new Set(['ConfigMap']))).to.equal(undefined);
    h.failed('Pod', 50, 'down');
    expect(h.describe(100, new Set(['ConfigMap'])))
      .to.include('watch on Pod')
      .and.not.include('ConfigMap');
  });
});

describe('retryTransient', () => {
  const noSleep = async (): Promise<void> => {};

  it('retries refused connections, resets and 5xx/429, and nothing else', () => {
    expect(isTransient(refused())).to.equal(true);
    expect(isTransient(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }))).to.equal(true);
    for (const code of [429, 500, 502, 503, 504]) expect(isTransient(api(code)), String(code)).to.equal(true);
    for (const code of [400, 401, 403, 404, 409, 422]) expect(isTransient(api(code)), String(code)).to.equal(false);
    expect(isTransient(new Error('invalid object'))).to.equal(false);
  });

  it('returns once the call succeeds, telling it which attempt it is', async () => {
    const seen: number[] = [];
    const v = await retryTransient(
      async (n) => {
        seen.push(n);
        if (n < 3) throw refused();
        return 'done';
      },
      { deadline: Date.now() + 60_000, what: 'x', sleep: noSleep },
    );
    expect(v).to.equal('done');
    expect(seen).to.deep.equal([1, 2, 3]);
  });

  it('rethrows a non-transient error at once', async () => {
    let calls = 0;
    const err = await retryTransient(
      async () => {
        calls++;
        throw api(403);
      },
      { deadline: Date.now() + 60_000, what: 'x', sleep: noSleep },
    ).catch((e: unknown) => e);
    expect(calls).to.equal(1);
    expect((err as { code: number }).code).to.equal(403);
  });

  it('gives up at the deadline with an ObservationError saying what, for how long, and the last error', async () => {
    const err = await retryTransient(
      async () => {
        throw refused();
      },
      { deadline: Date.now() + 1200, what: 'delete of pod web-1', sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    ).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ObservationError);
    expect((err as Error).message).to.match(
      /^delete of pod web-1 could not reach the API server for \d+\.\ds \(\d attempts\): fetch failed: ECONNREFUSED/,
    );
  });
});
