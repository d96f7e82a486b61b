import { expect } from 'chai';
import { parseRunArgs } from '../../../lib/cli/args.ts';
import { UsageError } from '../../../lib/errors.ts';
import { seededUpdate } from '../../../lib/update/mode.ts';
import { planOf } from '../helpers/plan.ts';

describe('updates with --chaos loss or bandwidth', () => {
  it("leave the seed's update out, with the reason, and refuse an explicit one", () => {
    const seed = [...Array(50).keys()].find((s) => seededUpdate(s, 3).mode !== 'none') as number;
    const a = parseRunArgs(['--seed', String(seed), '--workload', 'etcd', '--chaos', 'loss,bandwidth']);
    expect(planOf(a).update.mode).to.equal('none');
    expect(planOf(a).update.note).to.match(/but --chaos loss,bandwidth does not follow pods an update recreates yet$/);
    expect(() => parseRunArgs(['--update', 'template', '--chaos', 'delete,bandwidth'])).to.throw(
      UsageError,
      /^--update template cannot be combined with --chaos bandwidth yet/,
    );
  });
});
