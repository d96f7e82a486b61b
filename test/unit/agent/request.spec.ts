import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { podPid, startTime } from '../../../lib/agent/node.ts';
import {
  CHAIN,
  cgroupMatches,
  decide,
  type FaultSpec,
  type FaultStatus,
  healRules,
  parseSpec,
  parseStatus,
  partitionRules,
  specData,
} from '../../../lib/agent/request.ts';
import { loadState, saveState } from '../../../lib/agent/state.ts';

const UID = '6d8623c8-8427-4334-ac76-724db61baa3d';
const spec: FaultSpec = {
  fault: 'partition',
  pod: 'etcd-1',
  podUid: UID,
  peers: ['10.244.1.3', '10.244.2.5'],
  expires: 1_000_000,
  heal: false,
};

describe('fault request (agent side)', () => {
  it('reads back what the harness writes', () => {
    expect(parseSpec(specData(spec))).to.deep.equal(spec);
    expect(parseSpec(specData({ ...spec, heal: true }))).to.deep.include({ heal: true });
  });

  it('refuses anything but literal IPv4 peers, so nothing in a request becomes an iptables option', () => {
    for (const peers of ['["-j ACCEPT"]', '["10.0.0.1 -j ACCEPT"]', '["10.0.0.256"]', '["::1"]', '[]', '"10.0.0.1"', 'not json', '[1]']) {
      expect(parseSpec({ ...specData(spec), peers }), peers).to.be.a('string');
    }
  });

  it('refuses an unknown fault, a missing pod or UID, a bad expiry', () => {
    expect(parseSpec({ ...specData(spec), fault: 'delay' })).to.match(/unknown fault "delay"/);
    expect(parseSpec({ ...specData(spec), podUid: '' })).to.match(/podUid/);
    expect(parseSpec({ ...specData(spec), expires: 'soon' })).to.match(/expires/);
    expect(parseSpec(undefined)).to.be.a('string');
  });

  it('reads a status, and nothing from garbage', () => {
    const s: FaultStatus = { phase: 'applied', node: 'n1', appliedAt: 5, seen: 'x' };
    expect(parseStatus(JSON.stringify(s))).to.deep.equal(s);
    expect(parseStatus('{')).to.equal(undefined);
    expect(parseStatus('{"node":"n1"}')).to.equal(undefined);
    expect(parseStatus(undefined)).to.equal(undefined);
  });

  it('applies a live request once, keeps it until asked or expired, never applies a healed or expired one again', () => {
    const now = 500_000;
    expect(decide(spec, undefined, false, now)).to.equal('apply');
    expect(decide(spec, { phase: 'applied', node: 'n', seen: '' }, true, now)).to.equal('keep');
    expect(decide({ ...spec, heal: true }, undefined, true, now)).to.equal('heal');
    expect(decide(spec, undefined, true, spec.expires)).to.equal('heal');
    expect(decide(spec, undefined, false, spec.expires + 1)).to.equal('none');
    expect(decide(spec, { phase: 'healed', node: 'n', seen: '' }, false, now)).to.equal('none');
    expect(decide(spec, { phase: 'refused', node: 'n', seen: '' }, false, now)).to.equal('none');
  });

  it('cuts each peer in both directions from one chain that INPUT and OUTPUT jump to, and heals by removing all of it', () => {
    const rules = partitionRules(['10.0.0.1', '10.0.0.2']);
    expect(rules[0]).to.deep.equal(['-N', CHAIN]);
    for (const ip of ['10.0.0.1', '10.0.0.2']) {
      expect(rules).to.deep.include(['-A', CHAIN, '-s', ip, '-j', 'DROP']);
      expect(rules).to.deep.include(['-A', CHAIN, '-d', ip, '-j', 'DROP']);
    }
    expect(rules).to.deep.include(['-I', 'INPUT', '1', '-j', CHAIN]);
    expect(rules).to.deep.include(['-I', 'OUTPUT', '1', '-j', CHAIN]);
    expect(healRules()).to.deep.equal([
      ['-D', 'INPUT', '-j', CHAIN],
      ['-D', 'OUTPUT', '-j', CHAIN],
      ['-F', CHAIN],
      ['-X', CHAIN],
    ]);
  });

  it('finds a pod in a cgroup path in either driver spelling, and not another pod', () => {
    expect(cgroupMatches(`0::/kubepods/burstable/pod${UID}/abc`, UID)).to.equal(true);
    expect(cgroupMatches(`0::/kubepods.slice/kubepods-pod${UID.replaceAll('-', '_')}.slice/cri-x`, UID)).to.equal(true);
    expect(cgroupMatches('0::/kubepods/burstable/pod11111111-8427-4334-ac76-724db61baa3d/abc', UID)).to.equal(false);
    expect(cgroupMatches('0::/system.slice/containerd.service', UID)).to.equal(false);
  });

  it("finds the pod's oldest process from a /proc tree (its sandbox, not a passing exec), skipping other entries", async () => {
    const proc = await mkdtemp(join(tmpdir(), 'ordinal-proc-'));
    // stat: pid (comm) state ppid ... field 22 is the start time.
    const stat = (pid: string, comm: string, start: number): string =>
      `${pid} (${comm}) S 1 ${Array.from({ length: 17 }, () => '0').join(' ')} ${start} 0 0`;
    for (const [pid, cg, start] of [
      ['1', '0::/init.scope', 1],
      ['40', `0::/kubepods/besteffort/pod${UID}/exec`, 900],
      ['42', `0::/kubepods/besteffort/pod${UID}/sandbox`, 500],
      ['43', `0::/kubepods/besteffort/pod${UID}/c1`, 510],
    ] as const) {
      await mkdir(join(proc, pid));
      await writeFile(join(proc, pid, 'cgroup'), cg);
      await writeFile(join(proc, pid, 'stat'), stat(pid, pid === '43' ? 'a b) c' : 'sh', start));
    }
    await mkdir(join(proc, 'self'));
    expect(startTime(stat('7', 'x) y', 123))).to.equal(123);
    expect(startTime('garbage')).to.equal(undefined);
    expect(await podPid(UID, proc)).to.equal(42);
    expect(await podPid('00000000-0000-0000-0000-000000000000', proc)).to.equal(undefined);
  });

  it('keeps what it applied in a state file that survives a restart, and reads a missing or broken one as empty', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ordinal-agent-'));
    const path = join(dir, 'sub', 'n1.json');
    expect(await loadState(path)).to.deep.equal([]);
    const f = [{ key: 'ns/req', podUid: UID, pid: 42, appliedAt: 7 }];
    await saveState(path, f);
    expect(await loadState(path)).to.deep.equal(f);
    await writeFile(path, '{oops');
    expect(await loadState(path)).to.deep.equal([]);
  });
});
