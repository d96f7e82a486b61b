// The loss measurement's shell script run for real, with the busybox nc and timeout the
// pods have, against listeners on this machine's loopback: a peer that never closes the
// connection (as one whose close is lost packet after packet) must not hold the script.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { connectsScript, LINGER_S, tally } from '../../../lib/chaos/net-confirm.ts';

const run = promisify(execFile);
const BUSYBOX = '/bin/busybox';

describe('loss: the measuring script in busybox sh, against real listeners', function () {
  let bin = '';
  let server: net.Server;
  let port = 0;
  let closedPort = 0;
  const held: net.Socket[] = [];

  before(async function () {
    // cluster:up installs it (busybox-static); the pods run the same applets.
    if (!existsSync(BUSYBOX)) this.skip();
    bin = await mkdtemp(path.join(tmpdir(), 'connects-'));
    await Promise.all(['nc', 'timeout', 'sh'].map((a) => symlink(BUSYBOX, path.join(bin, a))));
    // Accepts, then never answers nor closes, even after the client's FIN.
    server = net.createServer({ allowHalfOpen: true }, (s) => void held.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    closedPort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
  });

  after(async function () {
    for (const s of held) s.destroy();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    if (bin) await rm(bin, { recursive: true, force: true });
  });

  it('a connect whose peer never closes counts as a connect, and ends after the connect timeout plus LINGER_S', async function () {
    this.timeout(20_000);
    const w = 1;
    const script = connectsScript([
      { t: { ip: '127.0.0.1', port: String(port) }, n: 5, w },
      { t: { ip: '127.0.0.2', port: String(closedPort) }, n: 3, w },
    ]);
    const t0 = Date.now();
    const { stdout } = await run(path.join(bin, 'sh'), ['-c', script], { env: { PATH: bin }, timeout: 15_000 });
    const secs = (Date.now() - t0) / 1000;
    const t = tally(stdout);
    expect(t.get('127.0.0.1'), stdout).to.deep.equal({ tried: 5, failed: 0 });
    // Nothing listens there: refused at once, a failed connect.
    expect(t.get('127.0.0.2'), stdout).to.deep.equal({ tried: 3, failed: 3 });
    expect(secs, 'the script waited for the peers to close').to.be.lessThan(w + LINGER_S + 3);
    expect(secs, 'the attempts were not held at all: the listener did not hold them').to.be.at.least(w + LINGER_S - 0.2);
  });
});
