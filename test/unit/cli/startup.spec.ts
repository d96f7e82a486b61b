// Commands that need no cluster must not load the Kubernetes client or the manifest
// schema validators: together they were ~180 MB and ~0.4 s of every `ordinal checks`.
// Each case runs the CLI in a fresh Node process with a module resolve hook that lists
// every module the command loaded.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const HEAVY = /node_modules\/(@kubernetes\/client-node|kubernetes-models|@kubernetes-models)\//;

/**
 * Runs `entry` in a child with a resolve hook; returns the module URLs it loaded. The hook
 * is registered before anything else is imported, so nothing escapes the list.
 */
function loadedModules(entry: string, argv: string[], cwd: string): { urls: string[]; status: number | null; stderr: string } {
  const out = path.join(cwd, `modules-${process.hrtime.bigint()}.json`);
  const script = `
    import { registerHooks } from 'node:module';
    import { writeFileSync } from 'node:fs';
    const urls = new Set();
    registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); urls.add(r.url); return r; } });
    process.on('exit', () => writeFileSync(${JSON.stringify(out)}, JSON.stringify([...urls])));
    const { main } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, entry)).href)});
    process.exitCode = typeof main === 'function' ? await main(${JSON.stringify(argv)}) : 0;
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd, encoding: 'utf8', timeout: 30_000 });
  const urls = JSON.parse(readFileSync(out, 'utf8')) as string[];
  return { urls, status: r.status, stderr: r.stderr };
}

describe('startup: commands without a cluster stay light', function () {
  this.timeout(60_000);
  let dir = '';
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ordinal-startup-'));
    // One valid run for `ordinal report`.
    const sample = readFileSync(path.join(ROOT, 'test/fixtures/results-sample.json'), 'utf8');
    mkdirSync(path.join(dir, 'reports', 'run-1'), { recursive: true });
    writeFileSync(path.join(dir, 'reports', 'run-1', 'results.json'), sample);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the hook sees the client when something does load it (the check below can fail)', () => {
    const r = loadedModules('lib/cluster/cluster.ts', [], dir);
    expect(r.urls.filter((u) => HEAVY.test(u))).not.to.deep.equal([]);
  });

  const cases: [string, string[]][] = [
    ['checks', ['checks']],
    ['--help', ['--help']],
    ['run --help', ['run', '--help']],
    ['run --dry-run', ['run', '--dry-run', '--seed', '42']],
    ['report <dir>', ['report', 'reports']],
    ['check-history --help', ['check-history', '--help']],
  ];
  for (const [name, argv] of cases) {
    it(`ordinal ${name} exits 0 without loading @kubernetes/client-node or kubernetes-models`, () => {
      const r = loadedModules('lib/cli/main.ts', argv, dir);
      expect(r.status, r.stderr).to.equal(0);
      expect(
        r.urls.some((u) => u.endsWith('/lib/cli/main.ts')),
        'main.ts was loaded through the hook',
      ).to.equal(true);
      expect(r.urls.filter((u) => HEAVY.test(u))).to.deep.equal([]);
    });
  }
});
