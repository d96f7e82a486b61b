// The postgres sample's fence: its container starts the server only once no other pod UID
// has beaten on the volume for FENCE_QUIET_S. Run here with the machine's sh and awk on a
// heartbeat file written by the test, as the container's shell runs it on its claim.
import { execFile } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { buildWorkload } from '../../../lib/workloads/index.ts';
import { FENCE_QUIET_S, HEARTBEAT_FILE, fenceScript } from '../../../lib/workloads/heartbeat.ts';

const run = promisify(execFile);
const ME = 'uid-me';

describe('postgres sample: the fence against a predecessor still writing', () => {
  let dir = '';
  let boot = '';
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'fence-'));
    boot = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const beat = async (uid: string, bootId = boot): Promise<void> => {
    const up = (await readFile('/proc/uptime', 'utf8')).split(' ')[0];
    await appendFile(path.join(dir, HEARTBEAT_FILE), `hb ${uid} 1 ${bootId} ${up} ${Date.now()}000000\n`);
  };
  /** Seconds the fence held the start, and what it printed. */
  const fenced = async (): Promise<{ s: number; out: string }> => {
    const t0 = performance.now();
    const r = await run('sh', ['-c', `${fenceScript(dir)} echo started`], { env: { ...process.env, POD_UID: ME }, timeout: 20_000 });
    return { s: (performance.now() - t0) / 1000, out: r.stdout };
  };

  it('starts at once on a volume with no heartbeat file, or with only its own beats', async () => {
    expect((await fenced()).out).to.equal('started\n');
    await beat(ME);
    const r = await fenced();
    expect(r.out).to.equal('started\n');
    expect(r.s).to.be.below(1);
  });

  it('waits until another UID on this kernel has been silent FENCE_QUIET_S, and names it', async () => {
    await beat('uid-old');
    await beat(ME);
    const r = await fenced();
    expect(r.s).to.be.at.least(FENCE_QUIET_S - 0.2);
    expect(r.out).to.match(/^waiting: pod uid uid-old still writes .*\.ordinal-heartbeat/);
    expect(r.out).to.match(/started\n$/);
  });

  it('times a writer on another kernel by wall clock, a second more', async () => {
    await beat('uid-elsewhere', 'another-boot');
    const r = await fenced();
    expect(r.s).to.be.at.least(FENCE_QUIET_S + 0.5);
    expect(r.out).to.include('uid-elsewhere');
  });

  it('is the first thing the postgres container does, before initdb or a base backup', () => {
    const w = buildWorkload('postgres', { namespace: 'ns', runId: 'r', replicas: 3, image: 'postgres', claimSize: '1Mi' });
    const command = JSON.stringify(w.objects);
    const at = command.indexOf('still writes');
    expect(at).to.be.greaterThan(0);
    expect(at).to.be.below(command.indexOf('initdb'));
    expect(at).to.be.below(command.indexOf('pg_basebackup'));
  });
});
