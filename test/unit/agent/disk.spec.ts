import { mkdir, mkdtemp, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { fillVolume, freeVolume, hostVolumeDirs, mountPoints, probeDir, volumePid, writeUntilFull } from '../../../lib/agent/disk.ts';
import { FILL_FILE, PROBE_FILE, safeMountPath } from '../../../lib/agent/disk-request.ts';
import { freeProblem, fullProblem } from '../../../lib/chaos/disk-confirm.ts';
import { type FaultSpec, parseSpec, specData } from '../../../lib/agent/request.ts';

const UID = '6d8623c8-8427-4334-ac76-724db61baa3d';
const OTHER = 'a1c2e3f4-1111-4222-8333-444455556666';
const spec: FaultSpec = {
  fault: 'disk-full',
  pod: 'etcd-1',
  podUid: UID,
  peers: [],
  path: '/var/lib/etcd',
  maxBytes: 70_464_307,
  volume: 'pvc-72837787-38f8-4b2a-adea-0d755bd7ccd5',
  expires: 1_000_000,
  heal: false,
};

const enospc = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

describe('disk-full request (agent side)', () => {
  it('reads back what the harness writes', () => {
    expect(parseSpec(specData(spec))).to.deep.equal(spec);
  });

  it('refuses a path that could climb out of the volume, the root, or a missing byte limit', () => {
    for (const path of ['', 'var/lib', '/', '/var/../etc', '/a/./b', '/a b', "/a'b", '/a;rm'])
      expect(parseSpec({ ...specData(spec), path }), path).to.be.a('string');
    for (const maxBytes of ['', '0', '-5', '1.5', 'lots']) expect(parseSpec({ ...specData(spec), maxBytes }), maxBytes).to.be.a('string');
    expect(safeMountPath('/var/lib/etcd')).to.equal(true);
    expect(safeMountPath('/data')).to.equal(true);
  });

  it('reads mount points from mountinfo, escapes undone', () => {
    const info = [
      '1104 1088 0:232 / / rw,relatime - overlay overlay rw,lowerdir=/x',
      '1120 1104 7:0 / /var/lib/etcd rw,relatime - ext4 /dev/loop0 rw',
      '1121 1104 7:1 / /my\\040data rw,relatime - ext4 /dev/loop1 rw',
    ].join('\n');
    expect(mountPoints(info)).to.deep.equal(['/', '/var/lib/etcd', '/my data']);
  });

  it('finds the oldest process of the pod that mounts the path (not the pause process, which has no such mount)', async () => {
    const proc = await mkdtemp(join(tmpdir(), 'ordinal-proc-'));
    const fake = async (pid: number, uid: string, start: number, mounts: string[]): Promise<void> => {
      await mkdir(join(proc, String(pid)));
      await writeFile(join(proc, String(pid), 'cgroup'), `12:memory:/kubepods/besteffort/pod${uid}/abc\n`);
      await writeFile(join(proc, String(pid), 'stat'), `${pid} (x) S ${'0 '.repeat(18)}${start} 0 0`);
      await writeFile(join(proc, String(pid), 'mountinfo'), mounts.map((m, i) => `${i} 0 0:1 / ${m} rw - ext4 /dev/x rw`).join('\n'));
    };
    await fake(10, UID, 100, ['/']);
    await fake(20, UID, 200, ['/', '/var/lib/etcd']);
    await fake(30, UID, 300, ['/', '/var/lib/etcd']);
    await fake(40, 'other', 50, ['/', '/var/lib/etcd']);
    expect(await volumePid(UID, '/var/lib/etcd', proc)).to.equal(20);
    expect(await volumePid(UID, '/data', proc)).to.equal(undefined);
  });

  it('writes until ENOSPC, dropping to small writes for the last blocks, and says full', async () => {
    let free = 3 * 1024 * 1024 + 8192;
    const write = async (b: Buffer): Promise<{ bytesWritten: number }> => {
      if (free === 0) throw enospc();
      if (b.length > free) throw enospc();
      free -= b.length;
      return { bytesWritten: b.length };
    };
    const r = await writeUntilFull(write, 100 * 1024 * 1024);
    expect(r).to.deep.equal({ written: 3 * 1024 * 1024 + 8192, full: true });
  });

  it('stops at its budget without ENOSPC and says not full; other errors throw', async () => {
    const r = await writeUntilFull(async (b) => ({ bytesWritten: b.length }), 5 * 1024 * 1024);
    expect(r).to.deep.equal({ written: 5 * 1024 * 1024, full: false });
    const eio = Object.assign(new Error('EIO'), { code: 'EIO' });
    let err: unknown;
    await writeUntilFull(async () => Promise.reject(eio), 4096).catch((e: unknown) => {
      err = e;
    });
    expect(err).to.equal(eio);
  });

  it('refuses to fill a filesystem larger than the request allows, and writes nothing', async () => {
    // A fake /proc/<pid>/root: the temp directory's filesystem, far larger than 1 MiB.
    const proc = await mkdtemp(join(tmpdir(), 'ordinal-proc-'));
    await mkdir(join(proc, '7', 'root', 'data'), { recursive: true });
    let err: unknown;
    await fillVolume(7, '/data', 1024 * 1024, proc).catch((e: unknown) => {
      err = e;
    });
    expect(String(err)).to.match(/does not enforce the claim's capacity/);
    expect(await readdir(join(proc, '7', 'root', 'data'))).to.deep.equal([]);
  });

  it('frees: deletes the fill file; false when the volume cannot be reached', async () => {
    const proc = await mkdtemp(join(tmpdir(), 'ordinal-proc-'));
    await mkdir(join(proc, '7', 'root', 'data'), { recursive: true });
    await writeFile(join(proc, '7', 'root', 'data', FILL_FILE), 'x');
    expect(await freeVolume(7, '/data', proc)).to.equal(true);
    expect(await readdir(join(proc, '7', 'root', 'data'))).to.deep.equal([]);
    expect(await freeVolume(8, '/data', proc)).to.equal(false);
  });

  it("probes as the pod's probe does: a synced 4 KiB write that succeeds, leaving nothing but what was there", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ordinal-vol-'));
    await writeFile(join(dir, FILL_FILE), 'x');
    const p = await probeDir(dir);
    expect(p).to.include({ rc: 0, message: '', fill: true });
    expect(p.sizeKiB).to.be.greaterThan(0);
    expect(p.availKiB).to.be.a('number');
    expect(freeProblem(p)).to.match(/still on the volume/);
    expect(await readdir(dir)).to.deep.equal([FILL_FILE]);
  });

  it("probes a full filesystem: the write fails with the kernel's ENOSPC (/dev/full), which fullProblem accepts", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ordinal-vol-'));
    // The probe file is a link to /dev/full, whose every write fails with ENOSPC.
    await symlink('/dev/full', join(dir, PROBE_FILE));
    const p = await probeDir(dir);
    expect(p.rc).to.equal(1);
    expect(p.message).to.match(/ENOSPC/);
    expect(fullProblem(p)).to.equal(undefined);
    expect(await readdir(dir)).to.deep.equal([]);
  });

  it('probes a volume that cannot be reached: the write failed, not with ENOSPC', async () => {
    const p = await probeDir(join(tmpdir(), 'ordinal-no-such-volume'));
    expect(p).to.include({ rc: 1, fill: false });
    expect(p.message).to.match(/ENOENT/);
    expect(fullProblem(p)).to.match(/not with ENOSPC/);
    expect(freeProblem(p)).to.match(/write failed/);
  });

  it("finds the kubelet's mount of the pod's volume on the host, for a container that is gone", async () => {
    const proc = await mkdtemp(join(tmpdir(), 'ordinal-proc-'));
    await mkdir(join(proc, '1'));
    const pv = 'pvc-72837787-38f8-4b2a-adea-0d755bd7ccd5';
    await writeFile(
      join(proc, '1', 'mountinfo'),
      [
        `46 45 0:40 / /var/lib/k/pods/${UID}/volumes/kubernetes.io~projected/kube-api-access-x rw - tmpfs tmpfs rw`,
        `47 45 7:0 / /var/lib/k/pods/${OTHER}/volumes/kubernetes.io~local-volume/${pv} rw - ext4 /dev/loop0 rw`,
        `48 45 7:0 / /var/lib/k/pods/${UID}/volumes/kubernetes.io~local-volume/${pv} rw - ext4 /dev/loop0 rw`,
      ].join('\n'),
    );
    const m = `/var/lib/k/pods/${UID}/volumes/kubernetes.io~local-volume/${pv}`;
    // PID 1 and a kubelet (pid 300) have the mount; a container (pid 400) does not.
    await mkdir(join(proc, '300'));
    await writeFile(join(proc, '300', 'mountinfo'), `48 45 7:0 / ${m} rw - ext4 /dev/loop0 rw`);
    await mkdir(join(proc, '400'));
    await writeFile(join(proc, '400', 'mountinfo'), '1 0 0:1 / / rw - overlay overlay rw');
    // The other pod's mount of the same volume (a replacement's) comes after the pod's own.
    const other = `/var/lib/k/pods/${OTHER}/volumes/kubernetes.io~local-volume/${pv}`;
    expect(await hostVolumeDirs(UID, pv, proc)).to.deep.equal([
      `${proc}/1/root${m}`,
      `${proc}/300/root${m}`,
      m,
      `${proc}/1/root${other}`,
      other,
    ]);
    // A pod replaced during the fault: its own mount is gone, the replacement's remains.
    const gone = '0e6b7c1d-0000-4000-8000-000000000000';
    expect(await hostVolumeDirs(gone, pv, proc)).to.deep.equal([
      `${proc}/1/root${other}`,
      other,
      `${proc}/1/root${m}`,
      `${proc}/300/root${m}`,
      m,
    ]);
    expect(await hostVolumeDirs(UID, 'pvc-other', proc)).to.deep.equal([]);
  });

  it('refuses a volume that is not a PersistentVolume name', () => {
    for (const volume of ['', '../x', 'a/b', 'A', '-x']) expect(parseSpec({ ...specData(spec), volume }), volume).to.be.a('string');
  });
});
