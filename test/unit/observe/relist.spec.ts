import { expect } from 'chai';
import { diffRelist, type Known } from '../../../lib/observe/relist.ts';

const item = (name: string, uid: string, rv: string) => ({ name, uid, resourceVersion: rv, object: { name } });
const known = (entries: [string, string, string][]): Map<string, Known> =>
  new Map(entries.map(([name, uid, rv]) => [name, { uid, resourceVersion: rv }]));

describe('diffRelist (what a re-list after a closed watch adds to the timeline)', () => {
  it('reports nothing when the list matches what was known', () => {
    expect(diffRelist(known([['web-0', 'u0', '10']]), [item('web-0', 'u0', '10')])).to.deep.equal([]);
  });

  it('turns new, changed and vanished objects into ADDED, MODIFIED and DELETED', () => {
    const changes = diffRelist(
      known([
        ['web-0', 'u0', '10'],
        ['web-1', 'u1', '11'],
      ]),
      [item('web-0', 'u0', '12'), item('web-2', 'u2', '13')],
    );
    expect(changes.map((c) => `${c.type} ${c.name} ${c.uid}`)).to.deep.equal(['DELETED web-1 u1', 'MODIFIED web-0 u0', 'ADDED web-2 u2']);
  });

  it('reports a pod recreated while the watch was down as DELETED (old UID) then ADDED (new UID)', () => {
    const changes = diffRelist(known([['web-1', 'old', '10']]), [item('web-1', 'new', '20')]);
    expect(changes.map((c) => `${c.type} ${c.uid}`)).to.deep.equal(['DELETED old', 'ADDED new']);
    expect(changes[1]?.object).to.deep.equal({ name: 'web-1' });
  });

  it('puts every deletion first and orders the rest by ordinal, not by string (web-2 before web-10)', () => {
    const before = known([
      ['web-10', 'a', '1'],
      ['web-3', 'b', '1'],
      ['web-2', 'x', '1'],
    ]);
    const changes = diffRelist(before, [item('web-10', 'a2', '5'), item('web-2', 'x2', '6'), item('web-11', 'd', '7')]);
    expect(changes.map((c) => `${c.type} ${c.name}`)).to.deep.equal([
      'DELETED web-2',
      'DELETED web-3',
      'DELETED web-10',
      'ADDED web-2',
      'ADDED web-10',
      'ADDED web-11',
    ]);
  });
});
