// A partition that the agent reports applied but that does not hold: the spec removes the
// agent's jumps into its chain from the target's network namespace as soon as they appear
// (as on a host where the rules silently do nothing). The confirmation from inside the pod
// must catch it: the run ends in `error` (exit 2) saying the cut was not confirmed, never
// a pass. (The run's namespace goes with its pods and their network namespaces.)
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { podPid } from '../../lib/agent/node.ts';
import { CHAIN } from '../../lib/agent/request.ts';
import { at, expectExit, faultRun, hooks, seedKilling } from './support.ts';

const run = promisify(execFile);
const seed = seedKilling('web', ['web-1'], 'partition', { chaos: ['partition'] });

let uids = new Map<string, string>();
let removed = 0;
let stop = false;
let sabotage: Promise<void> = Promise.resolve();

/** Deletes the agent's jumps from one network namespace as fast as it can, until stopped. */
async function undo(pid: number): Promise<void> {
  while (!stop) {
    for (const hook of ['INPUT', 'OUTPUT']) {
      await run('nsenter', [`--net=/proc/${pid}/ns/net`, 'iptables', '-w', '5', '-D', hook, '-j', CHAIN]).then(
        () => removed++,
        () => undefined,
      );
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

faultRun(
  'fault: a partition the agent applied but that does not hold is not confirmed, and the run is an error',
  {
    argv: ['--chaos', 'partition', '--rounds', '1', '--seed', String(seed), '--traffic', 'off'],
    hook: hooks(
      at('before-kills', async (ctx) => {
        uids = new Map([...ctx.recorder.pods].filter(([n]) => /^web-\d$/.test(n)).map(([n, p]) => [n, p.uid]));
        // The sandbox's pid, found once: the loop must be faster than the harness's confirmation.
        const pid = await podPid(uids.get('web-1') ?? '');
        if (pid === undefined) throw new Error('no process of web-1 on this machine: cannot plant the fault');
        sabotage = undo(pid);
      }),
    ),
    cleanup: async () => {
      stop = true;
      await sabotage;
    },
    summary: () => `seed ${seed}; jumps removed by the spec: ${removed}`,
  },
  (t) => {
    it('ends in error, exit 2, saying the cut was applied by the agent but not confirmed from inside the pod', function () {
      expect(removed, 'the sabotage removed no jump: the fault was not planted').to.be.greaterThan(0);
      expectExit(t.run, 2);
      expect(t.run.result.error?.message).to.match(
        /partition of web-1.*applied by the agent .* but not confirmed from inside the pods: .*(web-\d → web-\d \(.*\) must time out \(cut\) but|the attempts from web-\d ended after)/s,
      );
      // Said at once, from the pods' answers: not a wait for an answer that runs out (lib/chaos/partition-round.ts CUT_ANSWERS).
      expect(t.run.result.error?.message).to.not.match(/waited \d+s for/);
      expect(t.run.result.faults ?? []).to.deep.equal([]);
    });

    it('passes no check on the strength of the round', function () {
      expect(t.run.result.checks.filter((c) => c.status === 'passed').map((c) => c.id)).to.deep.equal([]);
    });
  },
);
