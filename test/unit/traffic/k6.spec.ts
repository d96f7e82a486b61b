// The k6 export: the generated TypeScript type-checks against @types/k6 (strict), for
// both workloads, and verify-writes' reader takes k6's console-output lines. k6 itself
// is never downloaded or run (its licence), only its published types are used.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { main } from '../../../lib/cli/main.ts';
import { k6Script, parseAcked, type K6Options } from '../../../lib/traffic/k6.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const base: K6Options = {
  workload: 'web',
  namespace: 'shop',
  statefulSet: 'web',
  service: 'nginx',
  replicas: 3,
  startOrdinal: 0,
  clusterDomain: 'cluster.local',
  ratePerSecond: 20,
  durationSeconds: 30,
  prefix: 'k6-test',
};

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/ordinal.js'), ...args], { cwd: ROOT });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  }
}

async function typecheck(script: string): Promise<{ code: number; out: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ordinal-k6-'));
  try {
    writeFileSync(path.join(dir, 'script.ts'), script);
    const types = path.join(ROOT, 'node_modules/@types');
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'ES2020',
          module: 'ESNext',
          moduleResolution: 'Bundler',
          lib: ['ES2020'],
          types: ['k6'],
          typeRoots: [types],
          paths: { 'k6/*': [`${types}/k6/*`], k6: [`${types}/k6`] },
          noUnusedLocals: true,
          noImplicitReturns: true,
        },
        files: ['script.ts'],
      }),
    );
    try {
      const r = await promisify(execFile)(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', dir], { cwd: dir });
      return { code: 0, out: r.stdout };
    } catch (err) {
      const e = err as { code?: number; stdout?: string };
      return { code: e.code ?? 1, out: e.stdout ?? String(err) };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('traffic: k6 export', function () {
  this.timeout(120_000);

  for (const workload of ['web', 'etcd'] as const) {
    it(`the ${workload} script type-checks against @types/k6`, async () => {
      const script = k6Script({ ...base, workload, statefulSet: workload, service: workload === 'web' ? 'nginx' : 'etcd' });
      expect(script).to.include(
        workload === 'web' ? 'http://web-2.nginx.shop.svc.cluster.local:80' : 'http://etcd-0.etcd.shop.svc.cluster.local:2379',
      );
      const r = await typecheck(script);
      expect(r.code, r.out).to.equal(0);
    });
  }

  it('the type check catches a broken script (it is not vacuous)', async () => {
    const r = await typecheck(k6Script(base).replace('exec.scenario.iterationInTest', 'exec.scenario.noSuchField'));
    expect(r.code).to.not.equal(0);
    expect(r.out).to.include('noSuchField');
  });

  it('reads ACK lines from k6 console output and from plain lines', () => {
    const text = [
      'time="2026-11-28T10:00:00Z" level=info msg="ACK web-0 k6-x-web-0-1" source=console',
      'ACK web-1 k6-x-web-1-2',
      'time="2026-11-28T10:00:01Z" level=warn msg="Request Failed" error="timeout"',
    ].join('\n');
    expect(parseAcked(text)).to.deep.equal([
      { store: 'web-0', key: 'k6-x-web-0-1' },
      { store: 'web-1', key: 'k6-x-web-1-2' },
    ]);
  });

  // Each of these once reached the script raw: a newline in --statefulset started code after
  // a comment; --cluster-domain 'evil.example/x?#' sent every write to another host.
  const HOSTILE: [string, string][] = [
    ['--statefulset', "web\nimport('node:child_process').then((m) => m.execSync('id'));//"],
    ['--statefulset', 'web*/ console.log(1); /*'],
    ['--service', "nginx', url: 'http://evil.example"],
    ['--service', 'nginx\u2028console.log(1)'],
    ['--namespace', 'shop`;console.log(1);`'],
    ['--cluster-domain', 'evil.example/x?#'],
    ['--cluster-domain', 'cluster.local:80@evil.example'],
    ['--cluster-domain', "cluster.local\n}); console.log('x'); ({"],
  ];

  for (const [flag, value] of HOSTILE) {
    it(`refuses ${flag} ${JSON.stringify(value)} with exit 2 and one line naming the flag, writing no script`, async () => {
      const args = ['--workload', 'web', '--namespace', 'shop', flag, value];
      const r = await cli(['traffic', 'export-k6', ...args]);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stdout).to.equal('');
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines, r.stderr).to.have.length(1);
      expect(lines[0]).to.include(flag).and.include('DNS-1123');
    });
  }

  it('k6Script itself refuses names that are not DNS names (a programmatic caller gets no script)', () => {
    expect(() => k6Script({ ...base, statefulSet: 'web\nconsole.log(1)' })).to.throw(RangeError, 'statefulset');
    expect(() => k6Script({ ...base, clusterDomain: 'evil.example/x?#' })).to.throw(RangeError, 'cluster-domain');
    expect(() => k6Script({ ...base, prefix: "k6'+x+'" })).to.throw(RangeError, 'prefix');
    expect(() => k6Script({ ...base, replicas: 1.5 })).to.throw(RangeError);
  });

  it('the longest and oddest valid names still give a script that type-checks, every name inside a JSON literal', async () => {
    const long = `a${'-9'.repeat(30)}z`; // 62 characters: a label may have 63
    const script = k6Script({
      ...base,
      namespace: long,
      statefulSet: '0',
      service: 'x-1',
      clusterDomain: 'a.b-c.d0',
      startOrdinal: 999_999,
    });
    expect(script).to.include(JSON.stringify(`http://0-999999.x-1.${long}.svc.a.b-c.d0:80`));
    const r = await typecheck(script);
    expect(r.code, r.out).to.equal(0);
  });

  it('bad input exits 2', async () => {
    expect(await main(['traffic', 'export-k6', '--workload', 'mysql', '--namespace', 'x'])).to.equal(2);
    expect(await main(['traffic', 'export-k6', '--workload', 'web'])).to.equal(2);
    expect(await main(['traffic', 'export-k6', '--workload', 'web', '--namespace', 'x', '--rate', '0'])).to.equal(2);
    expect(await main(['verify-writes', '--namespace', 'x'])).to.equal(2);
    expect(await main(['verify-writes', '--acked', '/nonexistent/acked.log', '--namespace', 'x'])).to.equal(2);
  });
});
