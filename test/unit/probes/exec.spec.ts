// The exec-based probes (hostname, sentinel, topology files, in-pod DNS) over a fake
// ExecFn with scripted results: success, non-zero exit, transport failure, timeout.
// Each must record what it saw, and the checks must turn "could not run the command"
// into `error` and "the pod answered: the data is gone" into `failed`.
import { expect } from 'chai';
import { ObservationError } from '../../../lib/errors.ts';
import { parseNslookupLoop, resolveInPod, settleInPod } from '../../../lib/probes/dns-inpod.ts';
import { execFailure, type ExecFn, type ExecResult } from '../../../lib/probes/exec.ts';
import { isTransient, retryTransient } from '../../../lib/cluster/retry.ts';
import { hostnameIn, readSentinel, writeSentinel } from '../../../lib/probes/sentinel.ts';
import { readTopology } from '../../../lib/run/snapshot.ts';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { PodSnapshot } from '../../../lib/probes/records.ts';
import { primaryReplicaWorkload } from '../../../lib/workloads/primary-replica.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { buildWebInput } from '../helpers/timeline-builder.ts';
import { mutate, podIn } from '../helpers/timeline-edit.ts';

type Step = ExecResult | 'transport' | 'timeout';
const ok = (stdout: string): ExecResult => ({ stdout, stderr: '', exitCode: 0 });
const exit = (exitCode: number, stderr: string): ExecResult => ({ stdout: '', stderr, exitCode });

/** An ExecFn answering from `script(pod, command)`; 'transport'/'timeout' throw as execIn does. */
function fakeExec(script: (pod: string, command: string[]) => Step): ExecFn & { calls: string[][] } {
  const calls: string[][] = [];
  const fn = async (pod: string, _container: string, command: string[]): Promise<ExecResult> => {
    calls.push([pod, ...command]);
    const step = script(pod, command);
    if (step === 'transport') throw new ObservationError(`exec in pod ${pod} in namespace ns failed: connect ECONNREFUSED 127.0.0.1:6443`);
    if (step === 'timeout')
      throw new ObservationError(`exec in pod ${pod} in namespace ns did not finish within 30s: ${command.join(' ')}`);
    return step;
  };
  return Object.assign(fn, { calls });
}

const good = buildWebInput();

describe('exec probes with a fake exec', () => {
  it('hostnameIn: records the hostname, and an error for a non-zero exit, a transport failure or a timeout', async () => {
    expect(
      await hostnameIn(
        fakeExec(() => ok('web-1\n')),
        'web-1',
        'c',
      ),
    ).to.deep.equal({ hostname: 'web-1' });
    const steps: [Step, string][] = [
      [exit(127, 'sh: hostname: not found'), 'hostname exited 127: sh: hostname: not found'],
      ['transport', 'ECONNREFUSED'],
      ['timeout', 'did not finish within 30s'],
    ];
    for (const [step, text] of steps) {
      const h = await hostnameIn(
        fakeExec(() => step),
        'web-1',
        'c',
      );
      expect(h.hostname, String(text)).to.equal(undefined);
      expect(h.error).to.include(text);
    }
  });

  it('STS-IDENTITY: a hostname that could not be read is error for that pod, never failed, never skipped', () => {
    const unseen = mutate(good, (d) => {
      delete podIn(d.after, 'web-2').hostnameInPod;
      podIn(d.after, 'web-2').hostnameError = 'exec in pod web-2 failed: connect ECONNREFUSED 127.0.0.1:6443';
    });
    const r = resultOf(unseen, 'STS-IDENTITY');
    expect(r.status, r.message).to.equal('error');
    expect(r.message).to.include('web-2').and.include('ECONNREFUSED');
    expect(r.evidence[0]).to.include({ subject: 'pod web-2' });
    // A wrong hostname elsewhere still wins: that is a finding about the cluster.
    const both = mutate(unseen, (d) => (podIn(d.after, 'web-1').hostnameInPod = 'localhost'));
    expectFailure(resultOf(both, 'STS-IDENTITY'), 'web-1', 'localhost');
  });

  it('readSentinel: the token, a missing file (answered), or unobserved (transport, timeout)', async () => {
    const token = 'ab'.repeat(32);
    const read = await readSentinel(
      fakeExec(() => ok(token)),
      'web-0',
      'c',
      '/data',
    );
    expect(read).to.include({ pod: 'web-0', path: '/data/.ordinal-sentinel', token, bytes: 64 });
    expect(read.unobserved).to.equal(undefined);
    const gone = await readSentinel(
      fakeExec(() => exit(1, "cat: can't open '/data/.ordinal-sentinel': No such file or directory")),
      'web-0',
      'c',
      '/data',
    );
    expect(gone.error).to.include('exited 1').and.include('No such file');
    expect(gone.unobserved).to.equal(undefined);
    for (const step of ['transport', 'timeout'] as const) {
      const r = await readSentinel(
        fakeExec(() => step),
        'web-0',
        'c',
        '/data',
      );
      expect(r.token).to.equal(undefined);
      expect(r.unobserved, step).to.equal(true);
    }
  });

  it('writeSentinel: refuses to record a token the pod did not echo back, and throws on transport failure', async () => {
    const exec = fakeExec((_pod, cmd) => ok(cmd[4] ?? '')); // the script echoes its token argument
    const w = await writeSentinel(exec, 'web-0', 'c', '/data');
    expect(w.token).to.have.length(64);
    expect(exec.calls[0]?.slice(0, 3)).to.deep.equal(['web-0', 'sh', '-c']);
    await writeSentinel(
      fakeExec(() => ok('something else')),
      'web-0',
      'c',
      '/data',
    ).then(
      () => expect.fail('accepted a token that was not written'),
      (e: Error) => expect(e.message).to.include('writing the sentinel'),
    );
    await writeSentinel(
      fakeExec(() => 'transport'),
      'web-0',
      'c',
      '/data',
    ).then(
      () => expect.fail('transport failure ignored'),
      (e: Error) => expect(e).to.be.instanceOf(ObservationError),
    );
  });

  it('STS-DATA-SENTINEL: unobserved read is error; a missing file is failed', async () => {
    const withRead = async (step: Step): Promise<CheckInput> => {
      const rec = await readSentinel(
        fakeExec(() => step),
        'web-1',
        'c',
        '/usr/share/nginx/html',
      );
      return mutate(good, (d) => (d.after.sentinels = d.after.sentinels.map((s) => (s.pod === 'web-1' ? { ...rec, path: s.path } : s))));
    };
    const unseen = resultOf(await withRead('transport'), 'STS-DATA-SENTINEL');
    expect(unseen.status, unseen.message).to.equal('error');
    expect(unseen.message).to.include('web-1').and.include('ECONNREFUSED');
    expect(resultOf(await withRead('timeout'), 'STS-DATA-SENTINEL').status).to.equal('error');
    expectFailure(
      resultOf(await withRead(exit(1, 'No such file or directory')), 'STS-DATA-SENTINEL'),
      'reading the sentinel from web-1 failed',
      'No such file',
    );
  });

  describe('readTopology', () => {
    const w = primaryReplicaWorkload({ namespace: 'ns', runId: 'r', replicas: 3, image: 'busybox', claimSize: '1Mi' });
    const t = w.topology!;
    const pods = [0, 1, 2].map((ordinal) => ({ name: `db-${ordinal}`, ordinal }) as PodSnapshot);
    const files: Record<string, Record<string, string>> = {
      'db-0': { [t.primaryPath]: 'DATA', [t.primaryIdPath]: 'uid-0 10.0.0.5' },
      'db-1': { [t.copyPath]: 'DATA', [t.servedByPath]: 'uid-0 10.0.0.5' },
      'db-2': { [t.copyPath]: 'DATA', [t.servedByPath]: 'uid-0 10.0.0.5' },
    };
    const cat = (down: Set<string> = new Set(), missing: Set<string> = new Set()): ExecFn =>
      fakeExec((pod, cmd) => {
        if (down.has(pod)) return 'transport';
        const path = cmd[1] ?? '';
        const data = missing.has(`${pod}:${path}`) ? undefined : files[pod]?.[path];
        return data === undefined ? exit(1, `cat: can't open '${path}': No such file or directory`) : ok(data);
      });

    it('reads the primary data and identity, and each replica copy with the identity that served it', async () => {
      const s = await readTopology(cat(), w, pods);
      expect(s).to.deep.include({ primary: 'db-0', primaryData: 'DATA', primaryUid: 'uid-0', primaryIp: '10.0.0.5' });
      expect(s.copies).to.deep.equal([
        { pod: 'db-1', data: 'DATA', servedBy: { uid: 'uid-0', ip: '10.0.0.5' } },
        { pod: 'db-2', data: 'DATA', servedBy: { uid: 'uid-0', ip: '10.0.0.5' } },
      ]);
    });

    it('marks an unreachable replica unobserved, and a replica without a copy as answered-missing', async () => {
      const s = await readTopology(cat(new Set(['db-2']), new Set([`db-1:${t.copyPath}`, `db-1:${t.servedByPath}`])), w, pods);
      const [c1, c2] = s.copies;
      expect(c1?.data).to.equal(undefined);
      expect(c1?.unobserved).to.equal(undefined);
      expect(c1?.error).to.include('No such file');
      expect(c2?.unobserved).to.equal(true);
      expect(c2?.error).to.include('ECONNREFUSED');
    });

    it('marks an unreachable primary unobserved', async () => {
      const s = await readTopology(cat(new Set(['db-0'])), w, pods);
      expect(s.primaryData).to.equal(undefined);
      expect(s.unobserved).to.equal(true);
    });
  });
});

describe('in-pod DNS (busybox nslookup) with a fake exec', () => {
  // Output as busybox 1.35 prints it in a pod of the local cluster (tabs and all).
  const OUT = [
    '@@@ web-0.nginx.ns.svc.cluster.local',
    'Server:\t\t10.0.0.10',
    'Address:\t10.0.0.10:53',
    '',
    'Name:\tweb-0.nginx.ns.svc.cluster.local',
    'Address: 10.244.0.5',
    '',
    '@@@rc 0',
    '@@@ web-1.nginx.ns.svc.cluster.local',
    'Server:\t\t10.0.0.10',
    'Address:\t10.0.0.10:53',
    '',
    "** server can't find web-1.nginx.ns.svc.cluster.local: NXDOMAIN",
    '',
    '@@@rc 1',
    '@@@ web-2.nginx.ns.svc.cluster.local',
    ';; connection timed out; no servers could be reached',
    '',
    '@@@rc 1',
    '@@@ web-3.nginx.ns.svc.cluster.local',
    'Server:\t\t10.0.0.10',
    'Address:\t10.0.0.10:53',
    '',
    "** server can't find web-3.nginx.ns.svc.cluster.local: SERVFAIL",
    '',
    '@@@rc 1',
    '@@@ web-4.nginx.ns.svc.cluster.local',
    'nslookup: applet not found',
    '@@@rc 127',
    '',
  ].join('\n');
  const names = [0, 1, 2, 3, 4].map((i) => `web-${i}.nginx.ns.svc.cluster.local`);
  const srv = '_web._tcp.nginx.ns.svc.cluster.local';

  it('parses answers, NXDOMAIN, SERVFAIL, timeouts, SRV targets; unrecognised output is TRANSPORT, not an answer', () => {
    const p = parseNslookupLoop(OUT);
    expect(p.get(names[0]!)).to.deep.include({ rcode: 'NOERROR', addresses: ['10.244.0.5'] });
    expect(p.get(names[1]!)?.rcode).to.equal('NXDOMAIN');
    expect(p.get(names[2]!)?.rcode).to.equal('TIMEOUT');
    expect(p.get(names[3]!)?.rcode).to.equal('SERVFAIL');
    expect(p.get(names[4]!)).to.deep.include({ rcode: 'TRANSPORT' });
    expect(p.get(names[4]!)?.error).to.include('applet not found');
  });

  it('asks every A name in one exec and SRV over TCP in a second, and turns an exec failure into TRANSPORT for every name', async () => {
    const exec = fakeExec(() => ok(OUT));
    const r = await resolveInPod(exec, 'web-0', 'c', names, srv, () => 5);
    expect(exec.calls).to.have.length(2);
    expect(exec.calls[0]?.slice(-5)).to.deep.equal(names);
    expect(exec.calls[1]?.join(' ')).to.include('nc -w 3');
    expect(r.a.get(names[0]!)).to.deep.equal({ t: 5, rcode: 'NOERROR', addresses: ['10.244.0.5'] });
    // The fake gives the nslookup text to the nc script too: not a DNS reply, so unobserved.
    expect(r.srv?.rcode).to.equal('TRANSPORT');
    const down = await resolveInPod(
      fakeExec(() => 'transport'),
      'web-0',
      'c',
      names,
      srv,
      () => 5,
    );
    for (const n of names) expect(down.a.get(n)?.rcode).to.equal('TRANSPORT');
    expect(down.srv?.rcode).to.equal('TRANSPORT');
    expect(down.a.get(names[0]!)?.error).to.include('ECONNREFUSED');
  });
});

describe('in-pod DNS settles like the servers', () => {
  const name = 'web-0.nginx.ns.svc.cluster.local';
  const answer = (ip: string): string =>
    [`@@@ ${name}`, 'Server:\t\t10.0.0.10', 'Address:\t10.0.0.10:53', '', `Name:\t${name}`, `Address: ${ip}`, '', '@@@rc 0', ''].join('\n');

  it('asks again until the answer is the published one, and keeps the last', async () => {
    let n = 0;
    const exec = fakeExec(() => ok(answer(n++ === 0 ? '10.244.0.5' : '10.244.0.9')));
    let t = 0;
    const r = await settleInPod(
      exec,
      'web-1',
      'c',
      [name],
      undefined,
      {
        a: (_n, a) => a.addresses[0] === '10.244.0.9',
        srv: () => true,
      },
      () => 60_000,
      () => t++,
    );
    expect(exec.calls).to.have.length(2);
    expect(r.a.get(name)?.addresses).to.deep.equal(['10.244.0.9']);
  });

  it('stops at the deadline with the stale answer, for the check to judge', async () => {
    const exec = fakeExec(() => ok(answer('10.244.0.5')));
    const r = await settleInPod(
      exec,
      'web-1',
      'c',
      [name],
      undefined,
      { a: () => false, srv: () => true },
      () => 0,
      () => 5,
    );
    expect(exec.calls).to.have.length(1);
    expect(r.a.get(name)?.addresses).to.deep.equal(['10.244.0.5']);
  });
});

describe('execFailure: which failed execs are a kubelet catching up', () => {
  it('retries "pod does not exist" from a kubelet that has not re-synced its pods (after a kubelet restart), within the deadline', async () => {
    const status = { status: 'Failure', message: 'Internal error occurred: unable to upgrade connection: pod does not exist', code: 500 };
    const err = execFailure('pod web-0 in namespace ns', ['hostname'], status);
    expect(err).to.be.instanceOf(ObservationError);
    expect(err.message).to.include('could not run hostname: Internal error occurred: unable to upgrade connection: pod does not exist');
    expect(isTransient(err)).to.equal(true);
    let calls = 0;
    const out = await retryTransient(
      async () => {
        calls++;
        if (calls < 3) throw execFailure('pod web-0', ['hostname'], status);
        return 'web-0';
      },
      { deadline: Date.now() + 60_000, what: 'exec', sleep: async () => {} },
    );
    expect(out).to.equal('web-0');
    expect(calls).to.equal(3);
  });

  it('any other failed exec is an answer, not retried', () => {
    expect(isTransient(execFailure('pod web-0', ['cat', 'x'], { status: 'Failure', message: 'container not found ("web")' }))).to.equal(
      false,
    );
    expect(isTransient(execFailure('pod web-0', ['cat', 'x'], { status: 'Failure', reason: 'InternalError' }))).to.equal(false);
  });
});
