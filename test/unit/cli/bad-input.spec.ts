// Hostile input to the commands that fail before any cluster is reached, through the real
// entry point (bin/ordinal.js in a child process, KUBECONFIG pointing nowhere so no
// cluster could be touched even by mistake): exit 2 and exactly one line naming the
// input; a hang shows as the 30 s spawn timeout (status null), a crash as a stack trace.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { mkfifo } from '../helpers/fifo.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'bin', 'ordinal.js');

function ordinal(...args: string[]): { code: number | null; stdout: string; stderr: string[] } {
  const env = { ...process.env, KUBECONFIG: '/nonexistent/kubeconfig' };
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.split('\n').filter(Boolean) };
}

describe('cli: bad input needing no cluster is one line and exit 2', function () {
  this.timeout(60_000);
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ordinal-cli-bad-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('traffic export-k6 --out <a directory>', () => {
    const r = ordinal('traffic', 'export-k6', '--workload', 'web', '--namespace', 'shop', '--out', dir);
    expect(r.code, r.stderr.join('\n')).to.equal(2);
    expect(r.stderr).to.deep.equal([`ordinal: error: --out ${dir}: a directory, not a regular file`]);
  });

  it('verify-writes --acked <a FIFO nobody writes to>: refused at once, not waited on', () => {
    const fifo = mkfifo(path.join(dir, 'acked'));
    const r = ordinal('verify-writes', '--acked', fifo, '--namespace', 'shop');
    expect(r.code, `${r.stderr.join('\n')} (null: it hung until the timeout)`).to.equal(2);
    expect(r.stderr).to.deep.equal([`ordinal: error: --acked ${fifo}: a FIFO, not a regular file`]);
  });

  it('run --kubeconfig <a FIFO nobody writes to>: refused at once, not waited on', () => {
    const fifo = mkfifo(path.join(dir, 'kubeconfig'));
    const r = ordinal('run', '--kubeconfig', fifo, '--seed', '1');
    expect(r.code, `${r.stderr.join('\n')} (null: it hung until the timeout)`).to.equal(2);
    expect(r.stderr).to.deep.equal([`ordinal: error: kubeconfig ${fifo}: a FIFO, not a regular file`]);
  });

  it('run --kubeconfig /dev/zero: refused, not read for ever', () => {
    const r = ordinal('run', '--kubeconfig', '/dev/zero', '--seed', '1');
    expect(r.code, r.stderr.join('\n')).to.equal(2);
    expect(r.stderr).to.deep.equal(['ordinal: error: kubeconfig /dev/zero: a character device, not a regular file']);
  });

  it('verify-writes --target a/b/c is refused, not read as a/b', () => {
    const acked = path.join(dir, 'k6.log');
    writeFileSync(acked, 'ACK web-0 k6-x-1\n');
    const r = ordinal('verify-writes', '--acked', acked, '--target', 'a/b/c');
    expect(r.code, r.stderr.join('\n')).to.equal(2);
    expect(r.stderr).to.deep.equal(['ordinal: error: --target must be <namespace>/<statefulset> (lower-case DNS names), got "a/b/c"']);
  });

  it('report: a results.json with error.message {"toString": null} is skipped with one warning; the other runs still make the page', () => {
    const sample = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/results-sample.json'), 'utf8')) as Record<string, unknown>;
    mkdirSync(path.join(dir, 'good'));
    writeFileSync(path.join(dir, 'good', 'results.json'), JSON.stringify(sample));
    mkdirSync(path.join(dir, 'crafted'));
    const crafted = path.join(dir, 'crafted', 'results.json');
    writeFileSync(crafted, JSON.stringify({ ...sample, runId: 'crafted', error: { message: { toString: null } } }));
    const r = ordinal('report', dir);
    expect(r.code, r.stderr.join('\n')).to.equal(0);
    expect(r.stderr).to.deep.equal([
      `ordinal: warning: skipped ${crafted}: error is not a message string (with an optional detail string)`,
    ]);
    expect(readFileSync(path.join(dir, 'index.html'), 'utf8')).to.include(`data-run="${sample.runId}"`);
  });

  const historyFlags: [string[], string][] = [
    [['--traffic', 'register'], '--traffic register runs against the etcd sample only (--workload etcd, without --target or --manifest)'],
    [
      ['--workload', 'postgres', '--traffic', 'register'],
      '--traffic register runs against the etcd sample only (--workload etcd, without --target or --manifest)',
    ],
    [
      ['--workload', 'etcd', '--traffic', 'bank'],
      '--traffic bank runs against the postgres sample only (--workload postgres, without --target or --manifest)',
    ],
    [
      ['--workload', 'web', '--traffic', 'set'],
      '--traffic set runs against the etcd or postgres sample only (--workload etcd|postgres, without --target or --manifest)',
    ],
    [
      ['--workload', 'postgres', '--traffic', 'bank', '--traffic-rate', '5'],
      '--traffic-rate applies only to --traffic on (the bank history client runs as fast as postgres answers)',
    ],
    [
      ['--workload', 'etcd', '--traffic', 'set', '--etcd-read', 'serializable'],
      '--etcd-read applies only to --traffic register (got --traffic set)',
    ],
    [
      ['--workload', 'etcd', '--traffic', 'register', '--traffic-rate', '50'],
      '--traffic-rate applies only to --traffic on (the register history client runs as fast as etcd answers)',
    ],
    [['--workload', 'etcd', '--client-image', 'x'], '--client-image applies only to --traffic register, set or bank (got --traffic on)'],
    [
      ['--workload', 'etcd', '--traffic', 'register', '--etcd-read', 'stale'],
      '--etcd-read must be one of linearizable, serializable, got "stale"',
    ],
  ];
  for (const [argv, message] of historyFlags) {
    it(`run ${argv.join(' ')} is refused before the run starts`, () => {
      const r = ordinal('run', '--seed', '1', ...argv);
      expect(r.code, r.stderr.join('\n')).to.equal(2);
      expect(r.stderr).to.deep.equal([`ordinal: error: ${message}`]);
      expect(r.stdout, 'no run starts').to.equal('');
    });
  }

  it("run --report-dir '' is refused before the run starts", () => {
    const r = ordinal('run', '--report-dir', '', '--seed', '1');
    expect(r.code, r.stderr.join('\n')).to.equal(2);
    expect(r.stderr).to.deep.equal(["ordinal: error: --report-dir '': empty: name a directory (the default is reports)"]);
    expect(r.stdout, 'no run starts').to.equal('');
  });
});
