// cluster/scripts/deps.sh decides which Debian packages a machine lacks and installs
// them (root with apt-get) or names them (exit 2). Exercised against a fake root
// (DEPS_ROOT) and a PATH of chosen tools, with a stub apt-get that records its calls
// and "installs" by creating the probed files: the real machine is never touched.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const DEPS = fileURLToPath(new URL('../../../cluster/scripts/deps.sh', import.meta.url));
const CLUSTER_COMMANDS = [
  'containerd',
  'ctr',
  'runc',
  'iptables',
  'ip6tables',
  'ip',
  'umoci',
  'skopeo',
  'openssl',
  'gcc',
  'readelf',
  'strip',
  'setsid',
  'flock',
  'losetup',
  'mkfs.ext4',
  'pgrep',
  'curl',
];
const CLUSTER_FILES = [
  'usr/lib/cni/bridge',
  'usr/lib/cni/host-local',
  'usr/lib/x86_64-linux-gnu/libc.a',
  'etc/ssl/certs/ca-certificates.crt',
];

interface Machine {
  root: string;
  bin: string;
}

/** A fake machine: `commands` as stubs on its PATH, `files` under its root, a static busybox if asked. */
function machine(commands: string[], files: string[], staticBusybox: boolean): Machine {
  const root = mkdtempSync(path.join(tmpdir(), 'ordinal-deps-'));
  chmodSync(root, 0o755); // the non-root case runs as nobody
  const bin = path.join(root, 'path');
  mkdirSync(bin);
  // bash runs the script; grep and readelf do the static-binary check, so they are real.
  for (const real of ['bash', 'grep']) symlinkSync(which(real), path.join(bin, real));
  for (const c of commands) {
    if (c === 'readelf') symlinkSync(which('readelf'), path.join(bin, c));
    else stub(path.join(bin, c), '#!/bin/sh\nexit 0\n');
  }
  for (const f of files) touch(path.join(root, f));
  if (staticBusybox) {
    mkdirSync(path.join(root, 'bin'), { recursive: true });
    symlinkSync('/bin/busybox', path.join(root, 'bin', 'busybox')); // Debian's busybox-static, as on the test host
  }
  return { root, bin };
}

function which(cmd: string): string {
  const r = spawnSync('bash', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} is not on this machine's PATH`);
  return r.stdout.trim();
}
function touch(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '');
}
function stub(file: string, body: string): void {
  writeFileSync(file, body);
  chmodSync(file, 0o755);
}

function deps(m: Machine, args: string[], asUser?: number): { code: number | null; stdout: string; stderr: string } {
  const env = { PATH: m.bin, DEPS_ROOT: m.root };
  // A copy inside the fake machine: the checkout may sit where another user cannot read (/root).
  const script = path.join(m.root, 'deps.sh');
  copyFileSync(DEPS, script);
  const r =
    asUser === undefined
      ? spawnSync(path.join(m.bin, 'bash'), [script, ...args], { env, encoding: 'utf8', timeout: 10_000 })
      : spawnSync(
          which('setpriv'),
          [`--reuid=${asUser}`, `--regid=${asUser}`, '--clear-groups', path.join(m.bin, 'bash'), script, ...args],
          { env, encoding: 'utf8', timeout: 10_000 },
        );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cluster/scripts/deps.sh', function () {
  before(function () {
    if (!existsSync('/bin/busybox') || process.getuid?.() !== 0) this.skip(); // needs the host's static busybox and root for setpriv
  });

  it('reports nothing missing on a machine with every tool', function () {
    const m = machine(CLUSTER_COMMANDS, CLUSTER_FILES, true);
    const r = deps(m, ['missing', 'cluster']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.trim()).to.equal('');
  });

  it('names each missing package once, from commands, files and a busybox that is not static', function () {
    const commands = CLUSTER_COMMANDS.filter((c) => !['umoci', 'strip', 'ip6tables'].includes(c));
    const files = CLUSTER_FILES.filter((f) => !f.includes('host-local') && !f.endsWith('libc.a'));
    const m = machine(commands, files, false);
    const r = deps(m, ['missing', 'cluster']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.trim().split(' ')).to.deep.equal([
      'containernetworking-plugins',
      'iptables',
      'umoci',
      'busybox-static',
      'libc6-dev',
      'binutils',
    ]);
  });

  it('as root with apt-get: says what it installs, runs apt-get update once then install, and checks again', function () {
    const m = machine(
      CLUSTER_COMMANDS.filter((c) => c !== 'skopeo'),
      CLUSTER_FILES,
      true,
    );
    const calls = path.join(m.root, 'apt-calls');
    // The stub "installs" skopeo by putting it on PATH, as the real package would.
    stub(
      path.join(m.bin, 'apt-get'),
      `#!/bin/bash\necho "$*" >> ${calls}\n[ "$1" = install ] && printf '#!/bin/sh\\n' > ${m.bin}/skopeo && chmod +x ${m.bin}/skopeo\nexit 0\n`,
    );
    for (const c of ['cat', 'chmod']) symlinkSync(which(c), path.join(m.bin, c));
    const r = deps(m, ['ensure', 'cluster']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include('installing the Debian packages the cluster needs and this machine lacks: skopeo');
    expect(r.stdout).to.include('installed: skopeo');
    expect(readFileSync(calls, 'utf8').split('\n').filter(Boolean)).to.deep.equal(['update -qq', 'install -y -qq skopeo']);
  });

  it('--dry-run says what it would run and runs nothing', function () {
    const m = machine(CLUSTER_COMMANDS, CLUSTER_FILES, true);
    const calls = path.join(m.root, 'apt-calls');
    stub(path.join(m.bin, 'apt-get'), `#!/bin/sh\necho "$*" >> ${calls}\n`);
    const r = deps(m, ['ensure', 'browser', '--dry-run']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include('running: apt-get update, then apt-get install -y chromium');
    expect(r.stdout).to.include('dry run: nothing installed');
    expect(existsSync(calls)).to.equal(false);
  });

  it('exits 2 naming the packages and the command when not root', function () {
    const m = machine(
      CLUSTER_COMMANDS.filter((c) => c !== 'containerd' && c !== 'ctr'),
      CLUSTER_FILES,
      true,
    );
    stub(path.join(m.bin, 'apt-get'), '#!/bin/sh\nexit 1\n');
    const r = deps(m, ['ensure', 'cluster'], 65534);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include(
      'missing Debian packages for the cluster: containerd (not running as root, so not installing them). As root: apt-get update && apt-get install -y containerd',
    );
  });

  it('exits 2 naming the packages when there is no apt-get', function () {
    const m = machine(CLUSTER_COMMANDS, CLUSTER_FILES, true);
    const r = deps(m, ['ensure', 'browser']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('missing Debian packages for the browser: chromium (no apt-get on this machine');
  });

  it('lint: as root installs shellcheck when it is missing, and does nothing when it is there', function () {
    const m = machine(CLUSTER_COMMANDS, CLUSTER_FILES, true);
    const calls = path.join(m.root, 'apt-calls');
    stub(
      path.join(m.bin, 'apt-get'),
      `#!/bin/bash\necho "$*" >> ${calls}\n[ "$1" = install ] && printf '#!/bin/sh\\n' > ${m.bin}/shellcheck && chmod +x ${m.bin}/shellcheck\nexit 0\n`,
    );
    for (const c of ['cat', 'chmod']) symlinkSync(which(c), path.join(m.bin, c));
    const r = deps(m, ['ensure', 'lint']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include('installed: shellcheck');
    expect(readFileSync(calls, 'utf8').split('\n').filter(Boolean)).to.deep.equal(['update -qq', 'install -y -qq shellcheck']);
    const again = deps(m, ['ensure', 'lint']);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.equal('');
    expect(readFileSync(calls, 'utf8').split('\n').filter(Boolean)).to.have.length(2);
  });

  it('lint: not root, exits 2 with the one apt-get command to run', function () {
    const m = machine(CLUSTER_COMMANDS, CLUSTER_FILES, true);
    stub(path.join(m.bin, 'apt-get'), '#!/bin/sh\nexit 1\n');
    const r = deps(m, ['ensure', 'lint'], 65534);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include(
      'shellcheck (not running as root, so not installing them). As root: apt-get update && apt-get install -y shellcheck',
    );
  });

  it('npm run lint ensures shellcheck before it runs it', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    const lint = pkg.scripts.lint ?? '';
    expect(lint).to.include('bash cluster/scripts/deps.sh ensure lint');
    expect(lint.indexOf('deps.sh ensure lint')).to.be.lessThan(lint.indexOf('shellcheck '));
  });

  it('exits 2 when apt-get fails', function () {
    const m = machine(CLUSTER_COMMANDS, CLUSTER_FILES, true);
    stub(path.join(m.bin, 'apt-get'), '#!/bin/sh\necho "E: Unable to locate package chromium" >&2\nexit 100\n');
    const r = deps(m, ['ensure', 'browser']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('apt-get could not install: chromium');
  });
});
