// The one options table (RUN_FLAGS) drives parsing, --help, the suites' ORDINAL_*
// variables and the replay command; these tests hold the four to each other.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { RUN_FLAGS, argvFromEnv, parseRunArgs, runHelp, type FlagSpec, type RunArgs } from '../../../lib/cli/args.ts';
import { planOf, replayOf } from '../helpers/plan.ts';
import { UsageError } from '../../../lib/errors.ts';

const FLAGS = Object.entries(RUN_FLAGS) as [string, FlagSpec][];
/** Bring-your-own flags: they replace --workload, so the sample-run argv and the per-sample suites leave them out. */
const OWN_ONLY = ['target', 'manifest', 'sentinel-path', 'cluster-domain'];
// Flags of the etcd history traffic only (--traffic register | set): no suite variable, their own round trip below.
const HISTORY_ONLY = ['etcd-read', 'client-image'];
// Flags of --chaos partition only: no suite variable, their own round trip below.
const PARTITION_ONLY = ['partition-shape'];

/** The replay command back to argv (test values need no shell quoting). */
/** The words a POSIX shell makes of `s` (single quotes and backslash escapes: what replayCommand's quoting uses). */
function shellWords(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let word = false;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? '';
    if (quoted) {
      if (c === "'") quoted = false;
      else cur += c;
    } else if (c === "'") {
      quoted = true;
      word = true;
    } else if (c === '\\') {
      cur += s[++i] ?? '';
      word = true;
    } else if (c === ' ') {
      if (word) out.push(cur);
      cur = '';
      word = false;
    } else {
      cur += c;
      word = true;
    }
  }
  if (word) out.push(cur);
  return out;
}

function replayArgv(replay: string): string[] {
  const words = shellWords(replay);
  expect(words.slice(0, 3)).to.deep.equal(['npx', 'ordinal', 'run']);
  return words.slice(3);
}

/** What shapes a run: everything but where reports go, debugging switches and the replay text itself. */
function shape(a: RunArgs): Partial<RunArgs> {
  // Who chose the update (flag or seed) is provenance: the replay names the mode the seed chose.
  const { reportDir: _r, keepNamespace: _k, dryRun: _d, help: _h, replayOf: _p, update: _u, ...rest } = a;
  return { ...rest, update: planOf(a).update.mode };
}

describe('ordinal run options: one table', () => {
  it('absent flags take the table defaults', () => {
    const a = parseRunArgs(['--seed', '5']);
    expect(a).to.include({
      workload: RUN_FLAGS.workload.value,
      replicas: Number(RUN_FLAGS.replicas.value),
      rounds: Number(RUN_FLAGS.rounds.value),
      killPattern: RUN_FLAGS['kill-pattern'].value,
      image: RUN_FLAGS.image.value,
      claimSize: RUN_FLAGS['claim-size'].value,
      timeoutSeconds: Number(RUN_FLAGS.timeout.value),
      dnsBudgetSeconds: Number(RUN_FLAGS['dns-budget'].value),
      reportDir: RUN_FLAGS['report-dir'].value,
    });
    expect(replayOf(a)).to.equal(
      'npx ordinal run --workload web --replicas 3 --rounds 3 --seed 5 --image docker.io/library/busybox:1.35.0 --update template',
    );
  });

  it('the replay command repeats every option that shapes the run, and parses back to the same run', () => {
    const argv = [
      '--kubeconfig',
      '/tmp/kc',
      '--context',
      'kind-x',
      '--workload',
      'primary-replica',
      '--replicas',
      '7',
      '--rounds',
      '2',
      '--seed',
      '0x10',
      '--kill-pattern',
      'burst',
      '--chaos',
      'force-delete',
      '--pdb',
      'min-available=2',
      '--node-fault-command',
      'nodes {action} {node}',
      '--toleration-seconds',
      '20',
      '--image',
      'registry.local/busybox:1',
      '--storage-class',
      'fast',
      '--claim-size',
      '1Gi',
      '--timeout',
      '900',
      '--dns-server',
      '127.0.0.1:5353',
      '--dns-budget',
      '5',
      '--report-dir',
      '/tmp/r',
      '--keep-namespace',
      '--pod-management',
      'Parallel',
      '--partition',
      '2',
      '--max-unavailable',
      '2',
      '--min-ready-seconds',
      '5',
      '--start-ordinal',
      '10',
      '--pvc-retention',
      'whenScaled=Delete',
      '--sentinel',
      'off',
      '--traffic',
      'off',
      '--traffic-rate',
      '7',
      '--update',
      'image',
      '--update-image',
      'registry.local/busybox:2',
    ];
    const a = parseRunArgs(argv);
    const again = parseRunArgs(replayArgv(replayOf(a)));
    expect(shape(again)).to.deep.equal(shape(a));
    expect(replayOf(again)).to.equal(replayOf(a));
    // Every string flag that shapes the run appears: none is missed by the replay.
    // --update-strategy OnDelete excludes --partition and --max-unavailable: it round-trips on its own below.
    for (const [flag, spec] of FLAGS) {
      if (spec.replay === 'never') expect(replayOf(a), flag).not.to.include(`--${flag}`);
      else if (flag !== 'update-strategy' && ![...OWN_ONLY, ...HISTORY_ONLY, ...PARTITION_ONLY].includes(flag))
        expect(replayOf(a), flag).to.include(`--${flag} `);
    }
    const history = parseRunArgs([
      '--workload',
      'etcd',
      '--traffic',
      'register',
      '--etcd-read',
      'serializable',
      '--client-image',
      'reg/o:1',
    ]);
    for (const flag of HISTORY_ONLY) expect(replayOf(history), flag).to.include(`--${flag} `);
    expect(shape(parseRunArgs(replayArgv(replayOf(history))))).to.deep.equal(shape(history));
    const leader = parseRunArgs(['--workload', 'etcd', '--chaos', 'partition', '--partition-shape', 'isolate-leader']);
    expect(replayOf(leader)).to.include('--partition-shape isolate-leader');
    expect(shape(parseRunArgs(replayArgv(replayOf(leader))))).to.deep.equal(shape(leader));
    expect(replayOf(parseRunArgs(['--chaos', 'partition', '--partition-shape', 'seeded']))).to.not.include('--partition-shape');
    expect(() => parseRunArgs(['--partition-shape', 'halves'])).to.throw(/--partition-shape applies only with --chaos partition/);
    expect(() => parseRunArgs(['--chaos', 'partition', '--partition-shape', 'isolate-leader'])).to.throw(/needs the etcd sample/);
    expect(() => parseRunArgs(['--workload', 'etcd', '--chaos', 'partition', '--partition-shape', 'leader'])).to.throw(/isolate-leader/);
    expect(replayOf(a)).to.include('--pvc-retention whenDeleted=Retain,whenScaled=Delete');
    const onDelete = parseRunArgs(['--seed', '3', '--update-strategy', 'OnDelete']);
    expect(replayOf(onDelete)).to.include('--update-strategy OnDelete');
    expect(shape(parseRunArgs(replayArgv(replayOf(onDelete))))).to.deep.equal(shape(onDelete));
  });

  it('StatefulSet options: defaults are the Kubernetes defaults, values are parsed and checked', () => {
    const d = parseRunArgs(['--seed', '1']);
    expect(d).to.deep.include({
      podManagementPolicy: 'OrderedReady',
      updateStrategy: 'RollingUpdate',
      partition: 0,
      minReadySeconds: 0,
      startOrdinal: 0,
      pvcRetention: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    });
    expect(d.maxUnavailable).to.equal(undefined);
    const a = parseRunArgs([
      '--seed',
      '1',
      '--pvc-retention',
      'whenScaled=Delete,whenDeleted=Delete',
      '--max-unavailable',
      '3',
      '--start-ordinal',
      '5',
    ]);
    expect(a.pvcRetention).to.deep.equal({ whenDeleted: 'Delete', whenScaled: 'Delete' });
    expect(a).to.include({ maxUnavailable: 3, startOrdinal: 5 });
    const bad: [string[], string][] = [
      [['--pod-management', 'Burst'], '--pod-management must be one of OrderedReady, Parallel, got "Burst"'],
      [['--update-strategy', 'Recreate'], '--update-strategy must be one of RollingUpdate, OnDelete, got "Recreate"'],
      [['--partition=-1'], '--partition must be an integer from 0 to 100, got "-1"'],
      [['--max-unavailable', '0'], '--max-unavailable must be an integer from 1 to 100, got "0"'],
      [['--min-ready-seconds', '1.5'], '--min-ready-seconds must be an integer from 0 to 3600, got "1.5"'],
      [['--start-ordinal', 'x'], '--start-ordinal must be an integer from 0 to 1000000, got "x"'],
      [
        ['--pvc-retention', 'whenDeleted=Keep'],
        '--pvc-retention: expected whenDeleted=Retain|Delete,whenScaled=Retain|Delete, got "whenDeleted=Keep"',
      ],
      [['--pvc-retention', 'whenScaled=Delete,whenScaled=Retain'], '--pvc-retention: whenScaled is given twice'],
      [['--pvc-retention', ''], '--pvc-retention: expected'],
      [['--update-strategy', 'OnDelete', '--partition', '1'], '--partition applies only to --update-strategy RollingUpdate, not OnDelete'],
      [['--update-strategy', 'OnDelete', '--max-unavailable', '2'], '--max-unavailable applies only to --update-strategy RollingUpdate'],
    ];
    for (const [argv, message] of bad) expect(() => parseRunArgs(['--seed', '1', ...argv]), argv.join(' ')).to.throw(UsageError, message);
  });

  it('--target / --manifest: the replay carries them and leaves out what the StatefulSet itself decides', () => {
    const a = parseRunArgs([
      '--target',
      'shop/db',
      '--seed',
      '3',
      '--sentinel',
      'off',
      '--sentinel-path',
      'data',
      '--cluster-domain',
      'corp.local',
      '--rounds',
      '2',
    ]);
    expect(a).to.include({ target: 'shop/db', sentinel: 'off', sentinelPath: 'data', clusterDomain: 'corp.local' });
    expect(replayOf(a)).to.equal(
      'npx ordinal run --rounds 2 --seed 3 --update none --target shop/db --sentinel off --sentinel-path data --cluster-domain corp.local',
    );
    expect(shape(parseRunArgs(replayArgv(replayOf(a))))).to.deep.equal(shape(a));
    const m = parseRunArgs(['--manifest', 'my app.yaml', '--seed', '3']);
    expect(replayOf(m)).to.equal(`npx ordinal run --rounds 3 --seed 3 --update none --manifest 'my app.yaml'`);
  });

  it('--target / --manifest refuse what would contradict the StatefulSet, and each other (exit 2)', () => {
    for (const flag of ['--workload', '--replicas', '--image', '--storage-class', '--claim-size']) {
      const v = flag === '--replicas' ? '2' : flag === '--workload' ? 'web' : flag === '--claim-size' ? '1Gi' : 'x';
      expect(() => parseRunArgs(['--target', 'a/b', flag, v]), flag).to.throw(
        UsageError,
        `${flag} cannot be combined with --target: it comes from the StatefulSet itself`,
      );
      expect(() => parseRunArgs(['--manifest', 'f.yaml', flag, v]), flag).to.throw(
        UsageError,
        `${flag} cannot be combined with --manifest`,
      );
    }
    expect(() => parseRunArgs(['--target', 'a/b', '--manifest', 'f.yaml'])).to.throw(UsageError, 'exclude each other');
    expect(() => parseRunArgs(['--sentinel-path', '/data'])).to.throw(
      UsageError,
      '--sentinel-path applies only with --target or --manifest',
    );
    expect(() => parseRunArgs(['--target', 'a/b', '--keep-namespace'])).to.throw(UsageError, 'creates no namespace');
    expect(() => parseRunArgs(['--target', 'a/b', '--chaos', 'delete,node-fault'])).to.throw(
      UsageError,
      '--chaos node-fault cannot be combined with --target',
    );
    expect(() => parseRunArgs(['--manifest', 'f.yaml', '--chaos', 'evict', '--pdb', 'max-unavailable=1'])).to.throw(
      UsageError,
      '--pdb cannot be combined with --manifest',
    );
    expect(() => parseRunArgs(['--sentinel', 'maybe'])).to.throw(UsageError, '--sentinel must be one of on, off');
  });

  it('a flag at its default is left out of the replay unless the table says always', () => {
    const a = parseRunArgs(['--seed', '1', '--kill-pattern', 'mixed', '--claim-size', '64Mi', '--timeout', '300', '--dns-budget', '60']);
    expect(replayOf(a)).to.equal(
      'npx ordinal run --workload web --replicas 3 --rounds 3 --seed 1 --image docker.io/library/busybox:1.35.0 --update none',
    );
  });

  it('quotes what the shell would split', () => {
    const a = parseRunArgs(['--seed', '1', '--context', "it's mine"]);
    expect(replayOf(a)).to.include(`--context 'it'\\''s mine'`);
    expect(replayOf({ ...a, image: 'a b' })).to.include("--image 'a b'");
  });

  it('ORDINAL_* variables become the same flags, for every string flag but --kubeconfig (KUBECONFIG) and --workload (one suite each)', () => {
    const env: Record<string, string> = {};
    const expected: string[] = [];
    const sample: Record<string, string> = {
      context: 'kind-x',
      replicas: '4',
      rounds: '1',
      seed: '9',
      'kill-pattern': 'reverse',
      chaos: 'force-delete',
      pdb: 'max-unavailable=2',
      'node-fault-command': 'nodes {action} {node}',
      'toleration-seconds': '20',
      image: 'busybox:1',
      'storage-class': 'fast',
      'claim-size': '128Mi',
      timeout: '60',
      'dns-server': '127.0.0.1:53',
      'dns-budget': '7',
      'report-dir': '/tmp/reports',
      sentinel: 'off',
      'pod-management': 'Parallel',
      'update-strategy': 'RollingUpdate',
      partition: '1',
      'max-unavailable': '2',
      'min-ready-seconds': '3',
      'start-ordinal': '4',
      'pvc-retention': 'whenDeleted=Delete',
      traffic: 'off',
      'traffic-rate': '5',
      update: 'image',
      'update-image': 'busybox:2',
    };
    for (const [flag, spec] of FLAGS) {
      if (
        spec.type !== 'string' ||
        flag === 'kubeconfig' ||
        flag === 'workload' ||
        OWN_ONLY.includes(flag) ||
        HISTORY_ONLY.includes(flag) ||
        PARTITION_ONLY.includes(flag)
      ) {
        expect(spec.env, flag).to.equal(undefined);
        continue;
      }
      expect(spec.env, flag).to.match(/^ORDINAL_[A-Z_]+$/);
      const v = sample[flag];
      if (v === undefined) throw new Error(`no sample value for --${flag}`);
      env[spec.env as string] = v;
      expected.push(`--${flag}`, v);
    }
    expect(argvFromEnv(env)).to.deep.equal(expected);
    // Unknown variables and empty values are left out.
    expect(argvFromEnv({ ORDINAL_UNKNOWN: 'x', ORDINAL_CONTEXT: '', ORDINAL_SEED: '3' })).to.deep.equal(['--seed', '3']);
    const a = parseRunArgs(argvFromEnv(env));
    expect(a).to.include({ claimSize: '128Mi', dnsBudgetSeconds: 7, killPattern: 'reverse', replicas: 4, reportDir: '/tmp/reports' });
    expect(a).to.include({ podManagementPolicy: 'Parallel', partition: 1, maxUnavailable: 2, minReadySeconds: 3, startOrdinal: 4 });
  });

  it('--help lists every flag with its default, range and suite variable', () => {
    const help = runHelp();
    for (const [flag, spec] of FLAGS) {
      const line = help
        .split('\n')
        .find((l) => l.trimStart().startsWith(`--${flag} `) || l.trim() === `--${flag}` || l.trimStart().startsWith(`--${flag}  `));
      expect(line, flag).to.be.a('string');
      if (spec.value) expect(line, flag).to.include(`default: ${spec.value}`);
      if (spec.range) expect(line, flag).to.include(`${spec.range[0]}-${spec.range[1]}`);
      if (spec.env) expect(line, flag).to.include(spec.env);
    }
  });

  it('the README names every suite variable', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const [, spec] of FLAGS) if (spec.env) expect(readme, spec.env).to.include(`\`${spec.env}\``);
  });

  it('ranges and choices from the table are enforced', () => {
    expect(() => parseRunArgs(['--replicas', '101'])).to.throw(UsageError, '--replicas must be an integer from 1 to 100, got "101"');
    expect(() => parseRunArgs(['--dns-budget', '3601'])).to.throw(UsageError, '--dns-budget must be an integer from 0 to 3600');
    expect(() => parseRunArgs(['--timeout', '9'])).to.throw(UsageError, '--timeout must be an integer from 10 to 86400');
    expect(() => parseRunArgs(['--kill-pattern', 'all'])).to.throw(
      UsageError,
      '--kill-pattern must be one of sequential, burst, reverse, mixed, got "all"',
    );
    expect(() => parseRunArgs(['--workload', 'kafka'])).to.throw(
      UsageError,
      '--workload must be one of web, primary-replica, etcd, postgres, got "kafka"',
    );
    expect(() => parseRunArgs(['--claim-size', 'lots'])).to.throw(UsageError, '--claim-size must be a positive Kubernetes quantity');
    expect(() => parseRunArgs(['--nope'])).to.throw(UsageError, "see 'ordinal run --help'");
  });
});
