// Agent faults take turns across kinds: a burst round's bandwidth and disk-full once wrote
// the run's one request name together (409 'already exists') from two queues.
import { expect } from 'chai';
import { agentTurn } from '../../../lib/chaos/agent-turn.ts';

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('agent faults: one at a time, whatever their kind', () => {
  it('starts each only after every earlier one ended, a failed one included', async () => {
    const log: string[] = [];
    const fault =
      (name: string, ms: number, fail = false) =>
      async () => {
        log.push(`${name} start`);
        await pause(ms);
        log.push(`${name} end`);
        if (fail) throw new Error(`${name} failed`);
      };
    const all = [agentTurn(fault('bandwidth', 30)), agentTurn(fault('disk-full', 5, true)), agentTurn(fault('partition', 1))];
    const settled = await Promise.allSettled(all);
    expect(settled.map((s) => s.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
    expect(log).to.deep.equal(['bandwidth start', 'bandwidth end', 'disk-full start', 'disk-full end', 'partition start', 'partition end']);
  });
});
