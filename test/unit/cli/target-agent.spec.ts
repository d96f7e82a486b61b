// --target with the node agent's faults: refused at the command line (exit 2, before
// anything is created), since the agent acts only in namespaces a run created and a
// --target run creates none: its fault request would otherwise be written into the
// user's namespace and refused there mid-run.
import { expect } from 'chai';
import { parseRunArgs } from '../../../lib/cli/args.ts';
import { UsageError } from '../../../lib/errors.ts';

describe('--target and the node agent faults', () => {
  for (const chaos of ['partition', 'loss', 'bandwidth', 'disk-full', 'delay']) {
    it(`refuses --chaos delete,${chaos} with --target in one line naming the fault and why`, () => {
      expect(() => parseRunArgs(['--target', 'shop/db', '--chaos', `delete,${chaos}`])).to.throw(
        UsageError,
        `--chaos ${chaos} cannot be combined with --target: the node agent acts only in namespaces a run created, and a --target run creates none`,
      );
    });
  }

  it('names every agent fault asked for, and leaves the pod disruptions and the samples alone', () => {
    expect(() => parseRunArgs(['--target', 'shop/db', '--chaos', 'loss,delete,partition'])).to.throw(
      UsageError,
      '--chaos partition,loss cannot',
    );
    expect(parseRunArgs(['--target', 'shop/db', '--chaos', 'delete,force-delete,container-kill,evict']).chaos).to.have.length(4);
    expect(parseRunArgs(['--chaos', 'partition,loss,bandwidth']).chaos).to.deep.equal(['partition', 'loss', 'bandwidth']);
  });
});
