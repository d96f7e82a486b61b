import { expect } from 'chai';
import {
  capacityProblem,
  classProblem,
  diskProbeScript,
  ENFORCES_CAPACITY,
  freeProblem,
  fullProblem,
  maxFillBytes,
  parseDiskProbe,
  quantityBytes,
} from '../../../lib/chaos/disk-confirm.ts';
import { faultsOf } from '../../../lib/run/result.ts';
import type { MarkerPayload, TimelineEntry } from '../../../lib/timeline/entries.ts';

const DF = '/dev/loop0                57300     55304       688  99% /var/lib/etcd';

describe('disk-full confirmation (pure)', () => {
  it('reads df and the write outcome from the probe', () => {
    expect(
      parseDiskProbe(`${DF}\nwrite 1 dd: error writing '/var/lib/etcd/.ordinal-probe': No space left on device 1+0 records in\n`),
    ).to.deep.equal({
      sizeKiB: 57300,
      availKiB: 688,
      rc: 1,
      message: "dd: error writing '/var/lib/etcd/.ordinal-probe': No space left on device 1+0 records in",
      fill: false,
    });
    expect(parseDiskProbe('sh: df: not found\n')).to.equal(undefined);
  });

  it('counts a volume full only when the write failed with ENOSPC', () => {
    const p = parseDiskProbe(`${DF}\nwrite 1 dd: error writing 'f': No space left on device\n`);
    expect(p && fullProblem(p)).to.equal(undefined);
    const ok = parseDiskProbe(`${DF}\nwrite 0 1+0 records in 1+0 records out\n`);
    expect(ok && fullProblem(ok)).to.match(/still succeeded.*688 KiB available/);
    const ro = parseDiskProbe(`${DF}\nwrite 1 dd: can't open 'f': Read-only file system\n`);
    expect(ro && fullProblem(ro)).to.match(/not with ENOSPC.*Read-only/);
  });

  it('counts a volume freed only when the fill file is gone and the write succeeded', () => {
    const ok = parseDiskProbe(`${DF}\nwrite 0 1+0 records in\nfill absent\n`);
    expect(ok && freeProblem(ok)).to.equal(undefined);
    const full = parseDiskProbe(`${DF}\nwrite 1 dd: error writing 'f': No space left on device\nfill absent\n`);
    expect(full && freeProblem(full)).to.match(/write failed.*No space left/);
    // The database freed space of its own (etcd drops its preallocated WAL file on a restart): the write succeeds, the fill is still there.
    const left = parseDiskProbe(`${DF}\nwrite 0 1+0 records in\nfill present\n`);
    expect(left && freeProblem(left)).to.match(/\.ordinal-fill is still on the volume/);
  });

  it('refuses a filesystem larger than its claim (the node disk behind a host-path volume)', () => {
    const claim = quantityBytes('64Mi') ?? 0;
    expect(capacityProblem(57300, claim)).to.equal(undefined);
    expect(capacityProblem(263_174_212, claim)).to.match(/does not enforce the claim's capacity/);
    expect(capacityProblem(undefined, claim)).to.match(/did not report/);
    // A provisioner that rounds up: the claim's status says 1Gi, the filesystem a little less.
    expect(capacityProblem(1_000_000, quantityBytes('1Gi') ?? 0)).to.equal(undefined);
    expect(maxFillBytes(claim)).to.equal(Math.floor(claim * 1.05));
  });

  it('reads Kubernetes quantities in bytes', () => {
    expect(quantityBytes('64Mi')).to.equal(64 * 1024 * 1024);
    expect(quantityBytes('1Gi')).to.equal(2 ** 30);
    expect(quantityBytes('100M')).to.equal(100_000_000);
    expect(quantityBytes('1.5Gi')).to.equal(1.5 * 2 ** 30);
    expect(quantityBytes('500')).to.equal(500);
    for (const q of [undefined, '', 'lots', '64MB', '-1Gi']) expect(quantityBytes(q), String(q)).to.equal(undefined);
  });

  it('trusts only a StorageClass annotated as enforcing capacity', () => {
    expect(classProblem('ordinal-fixed', { [ENFORCES_CAPACITY]: 'true' })).to.equal(undefined);
    expect(classProblem('standard', { 'storageclass.kubernetes.io/is-default-class': 'true' })).to.match(
      /storage class standard does not say.*--storage-class ordinal-fixed/,
    );
    expect(classProblem('standard', undefined)).to.be.a('string');
  });

  it('the probe writes and removes only its own file under the mount', () => {
    const s = diskProbeScript('/var/lib/etcd');
    expect(s).to.include("of='/var/lib/etcd/.ordinal-probe'");
    expect(s).to.include("rm -f '/var/lib/etcd/.ordinal-probe'");
    expect(s).to.include("df -Pk '/var/lib/etcd'");
    expect(s).to.include("[ -e '/var/lib/etcd/.ordinal-fill' ]");
  });
});

let seq = 0;
const at = (t: number, m: MarkerPayload): TimelineEntry =>
  ({ seq: seq++, t, wall: 1_700_000_000_000 + t, type: 'MARKER', ...m }) as TimelineEntry;

describe('disk-full in results.json', () => {
  it('pairs a confirmed full volume with its confirmed heal, not with a partition heal of the same pod', () => {
    const f = faultsOf([
      at(100, {
        marker: 'disk-full',
        round: 1,
        pod: 'etcd-1',
        uid: 'u1',
        node: 'n1',
        path: '/var/lib/etcd',
        sizeKiB: 57300,
        confirmMs: 900,
      }),
      at(150, { marker: 'partition-healed', round: 1, pod: 'etcd-1', uid: 'u1', healConfirmMs: 10 }),
      at(300, { marker: 'disk-full-healed', round: 1, pod: 'etcd-1', uid: 'u1', healConfirmMs: 700 }),
    ]);
    expect(f).to.deep.equal([
      {
        kind: 'disk-full',
        round: 1,
        pod: 'etcd-1',
        node: 'n1',
        path: '/var/lib/etcd',
        sizeKiB: 57300,
        confirmedAtMs: 100,
        confirmMs: 900,
        healedAtMs: 300,
        healConfirmMs: 700,
      },
    ]);
  });

  it("says where the agent's write confirmed it (the container down), and only there", () => {
    const full = {
      marker: 'disk-full',
      round: 2,
      pod: 'db-2',
      uid: 'u2',
      node: 'n2',
      path: '/data',
      sizeKiB: 250000,
      confirmMs: 4000,
    } as const;
    const [agentBoth] = faultsOf([
      at(100, { ...full, by: 'agent' }),
      at(900, { marker: 'disk-full-healed', round: 2, pod: 'db-2', uid: 'u2', healConfirmMs: 300, by: 'agent' }),
    ]);
    expect(agentBoth).to.include({ confirmedBy: 'agent', healConfirmedBy: 'agent' });
    const [podThenAgent] = faultsOf([
      at(100, full),
      at(900, { marker: 'disk-full-healed', round: 2, pod: 'db-2', uid: 'u2', healConfirmMs: 300, by: 'agent' }),
    ]);
    expect(podThenAgent).to.not.have.property('confirmedBy');
    expect(podThenAgent).to.include({ healConfirmedBy: 'agent' });
  });
});
