// results.json's options.update says what happened, not only what was planned.
import { expect } from 'chai';
import { updateOption } from '../../../lib/run/result.ts';
import type { TimelineEntry } from '../../../lib/timeline/entries.ts';

const start = (mode: 'template' | 'image' | 'rollback'): TimelineEntry => ({
  seq: 1,
  t: 100,
  wall: 1_700_000_000_100,
  type: 'MARKER',
  marker: 'update-start',
  step: 'forward',
  mode,
  strategy: 'RollingUpdate',
  partition: 0,
  from: 'web-1',
});

describe('results options.update', () => {
  it('is the plan when the run carried it out', () => {
    expect(updateOption({ mode: 'rollback', chosenBy: 'seed', round: 2 }, [start('rollback')])).to.deep.equal({
      mode: 'rollback',
      round: 2,
      chosenBy: 'seed',
    });
    expect(updateOption({ mode: 'none', chosenBy: 'seed', note: 'a --target run never changes the StatefulSet' }, [])).to.deep.equal({
      mode: 'none',
      chosenBy: 'seed',
      note: 'a --target run never changes the StatefulSet',
    });
  });

  it('says template, and why, when an image update fell back to a template change', () => {
    const u = updateOption({ mode: 'image', chosenBy: 'seed', round: 1 }, [start('template')]);
    expect([u.mode, u.round]).to.deep.equal(['template', 1]);
    expect(u.note).to.match(/^image was planned, but no second tag is known/);
  });

  it('says none, and why, when the run ended before the update round', () => {
    const u = updateOption({ mode: 'template', chosenBy: 'flag', round: 3 }, []);
    expect(u).to.deep.equal({
      mode: 'none',
      chosenBy: 'flag',
      note: "template was planned for round 3, but the run ended before that round's update began",
    });
  });
});
