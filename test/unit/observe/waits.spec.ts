// The waits of lib/observe/waits.ts as pure logic: each resolves on the notify() that
// makes its predicate true, and when it ends otherwise it says why, what it waited for
// and what it saw (a plain timeout, lost observation, a lost watch, a fail-fast error).
import { expect } from 'chai';
import { ClusterError, ObservationError, WaitTimeoutError } from '../../../lib/errors.ts';
import { Waits, type WaitSources } from '../../../lib/observe/waits.ts';

function sources(over: Partial<WaitSources> = {}): WaitSources & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    now: () => performance.now(),
    log: (l) => lines.push(l),
    summary: () => 'web-0 Running/Ready',
    dump: () => 'pods: web-0 Running/Ready',
    trouble: () => undefined,
    lost: () => undefined,
    ...over,
  };
}

describe('observe: waits', () => {
  it("resolves with until()'s value on the notify() after it becomes defined, not before", async () => {
    const waits = new Waits(sources());
    let ready: string | undefined;
    let settled = false;
    const p = waits.waitFor({ describe: 'web-0 Ready', timeoutMs: 5000, until: () => ready }).then((v) => {
      settled = true;
      return v;
    });
    waits.notify();
    await Promise.resolve();
    expect(settled).to.equal(false);
    ready = 'yes';
    waits.notify();
    expect(await p).to.equal('yes');
  });

  it('on its deadline names what it waited for and carries the namespace dump', async () => {
    const waits = new Waits(sources());
    const err = await waits.waitFor({ describe: 'web-1 Ready', timeoutMs: 30, until: () => undefined }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(WaitTimeoutError);
    expect((err as Error).message).to.equal('timed out after 0.03s waiting for web-1 Ready');
    expect((err as ClusterError).detail).to.equal('pods: web-0 Running/Ready');
  });

  it('a deadline that passes while a watch is down is lost observation, not a timeout', async () => {
    const waits = new Waits(sources({ trouble: () => 'the watch on Pod has been down since t=1.0s' }));
    const err = await waits.waitFor({ describe: 'web-1 Ready', timeoutMs: 30, until: () => undefined }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ObservationError);
    expect((err as Error).message).to.equal(
      'could not observe the cluster while waiting 0.03s for web-1 Ready: the watch on Pod has been down since t=1.0s',
    );
  });

  it('a lost watch fails every pending wait at the next notify(), and a fail-fast error ends a wait at once', async () => {
    let lost: ClusterError | undefined;
    const waits = new Waits(sources({ lost: () => lost }));
    const pending = waits.waitFor({ describe: 'web-1 Ready', timeoutMs: 5000, until: () => undefined }).catch((e: unknown) => e);
    lost = new ClusterError('lost the watch on Pod in namespace ns: 403');
    waits.notify();
    expect(await pending).to.equal(lost);

    const fast = new Waits(sources());
    const pull = new ClusterError('image cannot be pulled');
    expect(
      await fast.waitFor({ describe: 'rollout', timeoutMs: 5000, until: () => undefined, failFast: () => pull }).catch((e: unknown) => e),
    ).to.equal(pull);
  });

  it('a clock-dependent wait is re-evaluated without any notify()', async function () {
    this.timeout(5000);
    const waits = new Waits(sources());
    const from = Date.now();
    const v = await waits.waitFor({
      describe: 'Available',
      timeoutMs: 4000,
      clock: true,
      until: () => (Date.now() - from >= 500 ? 'available' : undefined),
    });
    expect(v).to.equal('available');
  });
});
