// The list of nodes a run stopped (lib/chaos/node-fault/stopped.ts), with an adapter that
// records its calls: a start asked by both the round and the teardown runs once, never
// before its stop, and the teardown starts whatever is still down. A --target run, so no
// creation record is written (the cluster is never touched).
import { expect } from 'chai';
import type { DisruptionContext } from '../../../lib/chaos/disruption.ts';
import type { NodeFault } from '../../../lib/chaos/node-fault/adapter.ts';
import { startStoppedNodes, stopNode, stoppedNodes } from '../../../lib/chaos/node-fault/stopped.ts';

function adapter(opts: { stopMs?: number; failStop?: boolean; failStarts?: number } = {}): NodeFault & { calls: string[] } {
  const calls: string[] = [];
  let failStarts = opts.failStarts ?? 0;
  return {
    name: 'test adapter',
    calls,
    async stop(node) {
      calls.push(`stop ${node}`);
      await new Promise((r) => setTimeout(r, opts.stopMs ?? 0));
      calls.push(`stopped ${node}`);
      if (opts.failStop) throw new Error(`stop of ${node} timed out`);
    },
    async start(node) {
      calls.push(`start ${node}`);
      if (failStarts-- > 0) throw new Error(`start of ${node} failed`);
    },
  };
}

function context(lines: string[]): DisruptionContext {
  const ctx: Partial<DisruptionContext> = {
    namespace: 'apps',
    round: 2,
    log: (l) => void lines.push(l),
    workload: { info: { kind: 'target' } } as DisruptionContext['workload'],
  };
  return ctx as DisruptionContext;
}

describe('nodes a run stopped', () => {
  afterEach(async () => {
    // No test leaves a node on the module's list for the next one.
    await startStoppedNodes(() => undefined);
  });

  it('starts a node once when the round and the teardown both ask, and takes it off the list', async () => {
    const a = adapter();
    const start = await stopNode(context([]), a, 'n1');
    expect(stoppedNodes()).to.deep.equal(['n1']);
    const [, failed] = await Promise.all([start(), startStoppedNodes(() => undefined), start()]);
    expect(failed).to.deep.equal([]);
    expect(a.calls).to.deep.equal(['stop n1', 'stopped n1', 'start n1']);
    expect(stoppedNodes()).to.deep.equal([]);
  });

  it('the teardown starts a node the round never started, saying so in two lines; a second teardown does nothing', async () => {
    const a = adapter();
    await stopNode(context([]), a, 'n2');
    const lines: string[] = [];
    await startStoppedNodes((l) => void lines.push(l));
    expect(a.calls).to.deep.equal(['stop n2', 'stopped n2', 'start n2']);
    expect(lines).to.have.length(2);
    expect(lines[0]).to.equal("node n2 is still stopped by round 2's fault: starting it again (test adapter) before exiting");
    expect(lines[1]).to.match(/^node n2 started again and Ready \(\d+\.\ds\)$/);
    await startStoppedNodes((l) => void lines.push(l));
    expect(a.calls).to.have.length(3);
  });

  it('a start asked while the stop is in flight waits for the stop to finish', async () => {
    const a = adapter({ stopMs: 50 });
    const stopping = stopNode(context([]), a, 'n3');
    // The signal lands mid-stop: the teardown's start must not overtake it.
    await new Promise((r) => setTimeout(r, 10));
    const tearing = startStoppedNodes(() => undefined);
    await Promise.all([stopping, tearing]);
    expect(a.calls).to.deep.equal(['stop n3', 'stopped n3', 'start n3']);
  });

  it('a start that failed is logged with how to start it by hand, and stays on the list to be tried again', async () => {
    const a = adapter({ failStarts: 1 });
    const start = await stopNode(context([]), a, '10.200.1.1');
    await start().catch(() => undefined);
    expect(stoppedNodes()).to.deep.equal(['10.200.1.1']);
    const lines: string[] = [];
    await startStoppedNodes((l) => void lines.push(l));
    expect(a.calls).to.deep.equal(['stop 10.200.1.1', 'stopped 10.200.1.1', 'start 10.200.1.1', 'start 10.200.1.1']);
    expect(stoppedNodes()).to.deep.equal([]);
    expect(lines[1]).to.match(/^node 10\.200\.1\.1 started again/);
  });

  it('a failed start in the teardown is said with the command that starts it by hand', async () => {
    const a = adapter({ failStarts: 2 });
    const lines: string[] = [];
    const start = await stopNode(context(lines), a, '10.200.2.1');
    await start().catch(() => undefined);
    expect(await startStoppedNodes((l) => void lines.push(l))).to.deep.equal(['10.200.2.1']);
    expect(lines.at(-1)).to.equal(
      'could not start node 10.200.2.1 again: start of 10.200.2.1 failed; start it by hand (local cluster: bash cluster/scripts/node.sh kubelet-start 10.200.2.1, or component.sh start kubelet for the main node)',
    );
  });

  it('a stop that fails is followed by a start (it may have stopped the kubelet half-way), then rethrown', async () => {
    const a = adapter({ failStop: true });
    const err = await stopNode(context([]), a, 'n4').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as Error).message).to.equal('stop of n4 timed out');
    expect(a.calls).to.deep.equal(['stop n4', 'stopped n4', 'start n4']);
    expect(stoppedNodes()).to.deep.equal([]);
  });
});
