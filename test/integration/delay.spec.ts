// `ordinal run --chaos delay` on the real cluster, whose kernel has no sch_netem: the
// preflight reads what the node agents probed and refuses with exit 2 and one line, before
// any run starts (no run id, no namespace, no plan printed). Cheap: no run.
import { expect } from 'chai';
import { runCli } from './helpers.ts';

describe('--chaos delay on a cluster without netem', function () {
  this.timeout(60_000);

  it('exits 2 with one stderr line saying why, before anything is created', async function () {
    const r = await runCli(['run', '--chaos', 'delay', '--rounds', '1', '--seed', '1']);
    const show = `exit ${r.code} after ${(r.ms / 1000).toFixed(1)}s\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
    expect(r.code, show).to.equal(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines, show).to.have.length(1);
    // Either the agents' probe (netem missing on every node, named) or an agent that never published it.
    expect(lines[0], show).to.match(
      /--chaos delay cannot run on this cluster: delay needs (the netem qdisc, and no node's kernel has it \(the agents' probe: .*qdisc kind is unknown|to know whether the nodes can do netem)/,
    );
    expect(r.stdout, show).to.not.match(/ordinal-\d{8}-\d{6}-[0-9a-f]{4}|seed 1 \(replay/);
  });
});
