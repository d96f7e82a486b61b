// --update: the seed's default (its own stream, so kill plans are unchanged; drawn by the
// plan, lib/run/plan.ts), explicit modes, and every refusal with exit code 2 (UsageError)
// and a message naming the fix.
import { expect } from 'chai';
import { parseRunArgs } from '../../../lib/cli/args.ts';
import { UsageError } from '../../../lib/errors.ts';
import { UPDATE_MODES, rollbackRound, seededUpdate } from '../../../lib/update/mode.ts';
import { planOf, replayOf } from '../helpers/plan.ts';

describe("--update (the update phase): parsing and the seed's default", function () {
  it('the seed picks the mode and the round, the same every time, from a stream of its own', () => {
    for (const seed of [0, 1, 42, 0xffff_ffff]) {
      expect(seededUpdate(seed, 3)).to.deep.equal(seededUpdate(seed, 3));
      const a = parseRunArgs(['--seed', String(seed)]);
      const b = parseRunArgs(['--seed', String(seed)]);
      expect(planOf(a).update).to.deep.equal(planOf(b).update);
      expect(replayOf(a)).to.equal(replayOf(b));
      expect(replayOf(a)).to.match(/ --update (template|image|rollback|none)( |$)/);
    }
  });

  it('over many seeds the default covers all four modes and every round, each mode about a quarter', () => {
    const counts = new Map<string, number>();
    const rounds = new Set<number>();
    for (let seed = 0; seed < 2000; seed++) {
      const u = seededUpdate(seed, 3);
      counts.set(u.mode, (counts.get(u.mode) ?? 0) + 1);
      if (u.round !== undefined) rounds.add(u.round);
    }
    expect([...counts.keys()].sort()).to.deep.equal([...UPDATE_MODES].sort());
    for (const [mode, n] of counts) expect(n, mode).to.be.within(400, 600);
    expect([...rounds].sort()).to.deep.equal([1, 2, 3]);
  });

  it("a replay with fewer rounds keeps the update's round when it falls inside them (the kill plan's prefix property)", () => {
    for (let seed = 0; seed < 500; seed++) {
      const full = seededUpdate(seed, 10);
      for (const fewer of [1, 3, 7]) {
        const cut = seededUpdate(seed, fewer);
        expect(cut.mode).to.equal(full.mode);
        if ((full.round ?? 0) <= fewer) expect(cut.round, `seed ${seed}, --rounds ${fewer}`).to.equal(full.round);
      }
    }
  });

  it("an explicit --update keeps the seed's round; none has no round", () => {
    const seed = 42;
    const round = seededUpdate(seed, 3).round;
    for (const mode of ['template', 'image', 'rollback'] as const) {
      const a = parseRunArgs(['--seed', String(seed), '--update', mode]);
      expect(planOf(a).update).to.deep.include({ mode, round, chosenBy: 'flag' });
      expect(replayOf(a)).to.include(`--update ${mode}`);
    }
    expect(planOf(parseRunArgs(['--seed', '42', '--update', 'none'])).update.round).to.equal(undefined);
    expect(rollbackRound(1, 3)).to.equal(2);
    expect(rollbackRound(3, 3)).to.equal(3);
  });

  it('the replay of a seed-chosen update names the mode, and parses back to the same update', () => {
    const seed = [...Array(50).keys()].find((s) => seededUpdate(s, 3).mode === 'rollback') as number;
    const a = parseRunArgs(['--seed', String(seed)]);
    expect(a.update, 'the parser draws nothing').to.equal(undefined);
    expect(planOf(a).update).to.deep.include({ mode: 'rollback', chosenBy: 'seed' });
    const again = parseRunArgs(replayOf(a).split(' ').slice(3));
    expect(planOf(again).update).to.deep.include({ mode: 'rollback', round: planOf(a).update.round, chosenBy: 'flag' });
  });

  it('refuses what cannot work, with exit code 2 and the reason', () => {
    const cases: [string[], string][] = [
      [['--update', 'sideways'], '--update must be one of template, image, rollback, none, got "sideways"'],
      [
        ['--update', 'image', '--target', 'shop/db'],
        "--update image cannot be combined with --target: a --target run never changes the user's StatefulSet",
      ],
      [['--update', 'template', '--target', 'shop/db'], '--update template cannot be combined with --target'],
      [['--update', 'rollback', '--rounds', '0'], '--update rollback needs at least one chaos round (got --rounds 0)'],
      [['--update', 'template', '--update-image', 'busybox:2'], '--update-image applies only to --update image, not --update template'],
      [
        ['--update', 'image', '--workload', 'etcd'],
        '--update image needs --update-image <ref>: no second tag is known for registry.k8s.io/etcd',
      ],
      [['--update', 'image', '--image', 'registry.local/busybox:1'], 'no second tag is known for registry.local/busybox:1'],
    ];
    for (const [argv, message] of cases) expect(() => parseRunArgs(['--seed', '1', ...argv]), argv.join(' ')).to.throw(UsageError, message);
  });

  it("with --target the seed's update becomes none, with the reason; --update none is accepted", () => {
    const seed = [...Array(50).keys()].find((s) => seededUpdate(s, 3).mode === 'template') as number;
    const t = parseRunArgs(['--seed', String(seed), '--target', 'shop/db']);
    expect(planOf(t).update.mode).to.equal('none');
    expect(planOf(t).update.note).to.equal("the seed chose template, but a --target run never changes the user's StatefulSet");
    expect(replayOf(t)).to.include('--update none');
    expect(planOf(parseRunArgs(['--seed', '1', '--target', 'shop/db', '--update', 'none'])).update.mode).to.equal('none');
  });

  it("the seed's image update without a known second tag becomes a template update, saying why; --update-image makes it possible", () => {
    const seed = [...Array(50).keys()].find((s) => seededUpdate(s, 3).mode === 'image') as number;
    const etcd = parseRunArgs(['--seed', String(seed), '--workload', 'etcd']);
    expect(planOf(etcd).update.mode).to.equal('template');
    expect(planOf(etcd).update.note).to.match(
      /^the seed chose image, but no second tag is known for registry\.k8s\.io\/etcd:\S+ \(--update-image\): template instead$/,
    );
    const own = parseRunArgs(['--seed', String(seed), '--workload', 'etcd', '--update-image', 'registry.local/etcd:2']);
    expect(planOf(own).update).to.deep.include({ mode: 'image', image: 'registry.local/etcd:2' });
    expect(replayOf(own)).to.include('--update image').and.include('--update-image registry.local/etcd:2');
  });

  it("--rounds 0 leaves the seed's update out, with the reason", () => {
    const seed = [...Array(50).keys()].find((s) => seededUpdate(s, 0).mode !== 'none') as number;
    const a = parseRunArgs(['--seed', String(seed), '--rounds', '0']);
    expect(planOf(a).update.mode).to.equal('none');
    expect(planOf(a).update.note).to.match(/there is no chaos round to run it in \(--rounds 0\)/);
  });

  it("--chaos partition leaves the seed's update out, with the reason, and refuses an explicit one", () => {
    const seed = [...Array(50).keys()].find((s) => seededUpdate(s, 3).mode !== 'none') as number;
    const a = parseRunArgs(['--seed', String(seed), '--workload', 'etcd', '--chaos', 'partition']);
    expect(planOf(a).update.mode).to.equal('none');
    expect(planOf(a).update.note).to.match(/but --chaos partition does not follow pods an update recreates yet$/);
    expect(replayOf(a)).to.include('--update none');
    expect(() => parseRunArgs(['--update', 'template', '--chaos', 'delete,partition'])).to.throw(
      UsageError,
      /^--update template cannot be combined with --chaos partition yet/,
    );
  });
});
