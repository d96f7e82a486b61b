// The packed tarball works where users install it: `npm pack` (which builds dist/ through
// prepack) gives a package that runs from another project's node_modules with
// `npx ordinal …` and from a global install, on the JavaScript build alone (Node does not
// strip types under node_modules). The npm registry is reached only for the package's
// own dependencies; no cluster is needed.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { CHECKS } from '../../lib/checks/catalog.ts';
import { ROOT, tempDir } from './helpers.ts';

const NODE_BIN = path.dirname(process.execPath); // the Node running mocha (24, from node_modules)

interface Ran {
  code: number | null;
  out: string;
  err: string;
  cmd: string;
}

function run(cmd: string, args: string[], cwd: string, env: Record<string, string | undefined> = {}, timeoutMs = 180_000): Ran {
  // npm's own "new major version available" notice goes to stderr whenever the registry has
  // a newer npm (a fresh HOME has no record of having shown it): it is npm's, not Ordinal's.
  const full: Record<string, string | undefined> = {
    ...process.env,
    PATH: `${NODE_BIN}:${process.env.PATH ?? ''}`,
    npm_config_update_notifier: 'false',
    ...env,
  };
  for (const [k, v] of Object.entries(full)) if (v === undefined) delete full[k];
  const r: SpawnSyncReturns<string> = spawnSync(cmd, args, { cwd, env: full, encoding: 'utf8', timeout: timeoutMs });
  return {
    code: r.status,
    out: r.stdout ?? '',
    err: `${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}`,
    cmd: `${cmd} ${args.join(' ')} (in ${cwd})`,
  };
}
const show = (r: Ran): string => `${r.cmd}: exit ${r.code}\n--- stdout\n${r.out}\n--- stderr\n${r.err}`;

/** Everything a tarball holds, relative to its package/ root. */
function tarballFiles(tgz: string): string[] {
  const r = run('tar', ['tzf', tgz], path.dirname(tgz));
  expect(r.code, show(r)).to.equal(0);
  return r.out
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''))
    .sort();
}

const killPlan = (out: string): string => out.slice(out.indexOf('# kill plan'));

describe('the packed npm package (integration)', function () {
  const work = tempDir('package');
  let tgz = '';
  let project = '';

  before(function () {
    this.timeout(300_000);
    const packs = path.join(work, 'packs');
    mkdirSync(packs);
    const pack = run('npm', ['pack', '--pack-destination', packs], ROOT);
    expect(pack.code, show(pack)).to.equal(0);
    const [name] = readdirSync(packs).filter((f) => f.endsWith('.tgz'));
    if (!name) throw new Error(`npm pack wrote no tarball into ${packs}\n${show(pack)}`);
    tgz = path.join(packs, name);

    project = path.join(work, 'consumer');
    mkdirSync(project);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2));
    const install = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tgz], project);
    expect(install.code, show(install)).to.equal(0);
  });

  it('is named ordinal-sts and holds the built JavaScript, the bin, docs/ and examples: no TypeScript, tests or cluster scripts', function () {
    const files = tarballFiles(tgz);
    expect(path.basename(tgz)).to.match(/^ordinal-sts-\d+\.\d+\.\d+\.tgz$/);
    expect(files).to.include.members([
      'bin/ordinal.js',
      'dist/lib/cli/main.js',
      'dist/lib/run/execute.js',
      'package.json',
      'README.md',
      'examples/rbac.yaml',
    ]);
    // Every source module is built into the tarball (a new directory such as lib/timeline/ included).
    const sources = readdirSync(path.join(ROOT, 'lib'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(sources).to.include('timeline/causal.ts');
    const missing = sources.map((f) => `dist/lib/${f.replace(/\.ts$/, '.js')}`).filter((f) => !files.includes(f));
    expect(missing, 'sources with no built JavaScript in the tarball').to.deep.equal([]);
    // The README links into docs/, so every page (and the screenshots they show) ships with it.
    const docs = readdirSync(path.join(ROOT, 'docs')).map((f) => `docs/${f}`);
    expect(docs).to.include('docs/checks.md');
    expect(
      docs.filter((f) => !files.includes(f)),
      'docs/ files missing from the tarball',
    ).to.deep.equal([]);
    const stray = files.filter((f) => f.endsWith('.ts') || /^(test|suites|cluster|lib|bench)\//.test(f));
    expect(stray, 'files that belong to the repository only').to.deep.equal([]);
  });

  it('`npx ordinal checks` in a project that depends on it prints the whole catalog', function () {
    this.timeout(60_000);
    expect(existsSync(path.join(project, 'node_modules', 'ordinal-sts', 'lib')), 'sources in the installed package').to.equal(false);
    const r = run('npx', ['--no-install', 'ordinal', 'checks'], project);
    expect(r.code, show(r)).to.equal(0);
    expect(
      r.out
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(/\s+/)[0]),
    ).to.deep.equal(CHECKS.map((c) => c.id));
  });

  it('`npx ordinal run --dry-run --seed 42` prints the same objects and kill plan as the sources do', function () {
    this.timeout(60_000);
    const installed = run('npx', ['--no-install', 'ordinal', 'run', '--dry-run', '--seed', '42'], project);
    expect(installed.code, show(installed)).to.equal(0);
    const source = run(process.execPath, [path.join(ROOT, 'bin', 'ordinal.js'), 'run', '--dry-run', '--seed', '42'], ROOT);
    expect(source.code, show(source)).to.equal(0);
    expect(killPlan(installed.out)).to.include('round 1 (sequential): web-0 (delete), web-1 (force-delete)');
    expect(killPlan(installed.out)).to.equal(killPlan(source.out));
    // The run ID (and so the namespace) differs per invocation; everything else must not.
    const norm = (s: string): string => s.replace(/\d{8}-\d{6}-[0-9a-f]{4}/g, '<run-id>');
    expect(norm(installed.out)).to.equal(norm(source.out));
  });

  it('an installed `ordinal run` with no cluster configured exits 2 with one line, and never tries to start a cluster', function () {
    this.timeout(60_000);
    const home = tempDir('package-home');
    const r = run('npx', ['--no-install', 'ordinal', 'run', '--seed', '1'], project, { KUBECONFIG: undefined, HOME: home });
    expect(r.code, show(r)).to.equal(2);
    expect(r.err.trim()).to.equal(
      `ordinal: error: kubeconfig not found at ${path.join(home, '.kube', 'config')}: pass --kubeconfig or set KUBECONFIG`,
    );
  });

  it('`npm install -g <tarball>` gives an `ordinal` command: `ordinal run --help`', function () {
    this.timeout(180_000);
    const prefix = path.join(work, 'global');
    const install = run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', tgz], work);
    expect(install.code, show(install)).to.equal(0);
    const r = run(path.join(prefix, 'bin', 'ordinal'), ['run', '--help'], work);
    expect(r.code, show(r)).to.equal(0);
    expect(r.out).to.match(/^Usage: ordinal run \[flags\]/);
    expect(r.out).to.include('--dry-run');
  });
});
