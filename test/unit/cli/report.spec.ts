// `ordinal report <dir>` and the `run` flags this issue changed, through the real entry
// point (bin/ordinal.js in a child process): exit codes and the lines a user sees.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRunArgs } from '../../../lib/cli/args.ts';
import { UsageError } from '../../../lib/errors.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'bin', 'ordinal.js');
const sample = readFileSync(path.join(ROOT, 'test/fixtures/results-sample.json'), 'utf8');

function ordinal(...args: string[]): { code: number | null; stdout: string; stderr: string[] } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.split('\n').filter(Boolean) };
}

describe('cli: ordinal report', function () {
  this.timeout(30_000);
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ordinal-cli-report-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a directory that does not exist: exit 2 with one error line naming it', () => {
    const r = ordinal('report', path.join(dir, 'missing'));
    expect(r.code).to.equal(2);
    expect(r.stderr).to.deep.equal([
      `ordinal: error: report directory ${path.join(dir, 'missing')} does not exist (or is not a directory)`,
    ]);
  });

  it('a directory with no runs: exit 2 with one error line, and no page written', () => {
    const r = ordinal('report', dir);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.have.length(1);
    expect(r.stderr[0]).to.match(/^ordinal: error: no runs found under /);
    expect(existsSync(path.join(dir, 'index.html'))).to.equal(false);
  });

  it('rebuilds index.html from the readable runs, with one warning line per skipped file', () => {
    mkdirSync(path.join(dir, 'run-1'));
    writeFileSync(path.join(dir, 'run-1', 'results.json'), sample);
    mkdirSync(path.join(dir, 'run-2'));
    writeFileSync(path.join(dir, 'run-2', 'results.json'), '{"schemaVersion": 99}');
    const r = ordinal('report', dir);
    expect(r.code).to.equal(0);
    expect(r.stderr).to.deep.equal([`ordinal: warning: skipped ${path.join(dir, 'run-2', 'results.json')}: schemaVersion 99 is not 1`]);
    expect(r.stdout.trim()).to.equal(`history: ${path.join(dir, 'index.html')} (1 run, 1 skipped)`);
    const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
    expect(html).to.include('href="./run-1/index.html"');
  });

  it('no directory, or two: exit 2 pointing at --help', () => {
    for (const args of [[], ['a', 'b']]) {
      const r = ordinal('report', ...args);
      expect(r.code).to.equal(2);
      expect(r.stderr[0]).to.include("see 'ordinal report --help'");
    }
  });
});

describe('cli: run flags', () => {
  it('--replicas takes 1 to 100', () => {
    expect(parseRunArgs(['--replicas', '100']).replicas).to.equal(100);
    expect(() => parseRunArgs(['--replicas', '101'])).to.throw(UsageError, 'from 1 to 100');
    expect(() => parseRunArgs(['--replicas', '0'])).to.throw(UsageError);
  });

  it('--claim-size must be a positive quantity, caught before anything is created', () => {
    for (const ok of ['64Mi', '1Gi', '500M', '2', '0.5Gi']) expect(parseRunArgs(['--claim-size', ok]).claimSize).to.equal(ok);
    for (const bad of ['lots', '0', '0Mi', '-1Gi', '64 Mi', '64mi', '']) {
      expect(() => parseRunArgs(['--claim-size', bad]), bad).to.throw(UsageError, '--claim-size');
    }
  });
});
