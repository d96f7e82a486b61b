import { expect } from 'chai';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { AFTER_SETTLED_MS, buildWebInput, fqdnOf, ipOf, uidOf } from '../helpers/timeline-builder.ts';
import { mutate, podIn, withPodStates } from '../helpers/timeline-edit.ts';

const good = buildWebInput();
/** After the settled answers (more than a TTL past every readiness change) and before the scale-down. */
const LATE = good.after.t + AFTER_SETTLED_MS + 100;

describe('STS-IDENTITY', () => {
  const ID = 'STS-IDENTITY';

  it('passes and shows the old -> new UID of every recreated pod', () => {
    const r = resultOf(good, ID);
    expect(r.status).to.equal('passed');
    expect(r.evidence.find((e) => e.subject === 'pod web-1')?.observed).to.include('uid web-1-uid-0 -> web-1-uid-2');
  });

  it('fails when a killed pod comes back with the same UID', () => {
    const bad = mutate(good, (d) => (podIn(d.after, 'web-1').uid = uidOf('web-1', 0)));
    expectFailure(resultOf(bad, ID), 'web-1 still has uid web-1-uid-0');
  });

  it('fails on a wrong hostname, naming the pod and the value seen', () => {
    const bad = mutate(good, (d) => (podIn(d.after, 'web-2').hostname = 'web-7'));
    expectFailure(resultOf(bad, ID), 'web-2 has hostname "web-7", expected "web-2"');
  });

  it('fails on a wrong subdomain', () => {
    const bad = mutate(good, (d) => (podIn(d.after, 'web-0').subdomain = 'nginx-canary'));
    const r = resultOf(bad, ID);
    expectFailure(r, 'web-0', 'nginx-canary');
    expect(r.evidence[0]).to.include({ subject: 'pod web-0', expected: 'subdomain nginx', observed: 'nginx-canary' });
  });

  it('fails when the container reports another hostname', () => {
    const bad = mutate(good, (d) => (podIn(d.after, 'web-1').hostnameInPod = 'localhost'));
    expectFailure(resultOf(bad, ID), 'web-1', 'localhost');
  });

  it('fails when a baseline pod is missing after chaos', () => {
    const bad = mutate(good, (d) => (d.after.pods = d.after.pods.filter((p) => p.name !== 'web-2')));
    expectFailure(resultOf(bad, ID), 'web-2 is missing after chaos', 'web-2-uid-0');
  });
});

describe('STS-DNS-A', () => {
  const ID = 'STS-DNS-A';
  const fqdn0 = fqdnOf('web-0');

  it('passes when each name finally resolves to the current IP, recording the stale answers it settled through', () => {
    const r = resultOf(good, ID);
    expect(r.status).to.equal('passed');
    const after0 = r.evidence.find((e) => e.subject === fqdn0 && e.note?.startsWith('after chaos'));
    expect(after0?.observed).to.equal(`NOERROR [${ipOf(0, 2)}]`);
    expect(after0?.note).to.include(ipOf(0, 0));
  });

  it('fails when the last answer is still the old IP, showing the answer sequence', () => {
    const bad = mutate(good, (d) => {
      const l = d.after.dnsA.find((x) => x.pod === 'web-0');
      if (l) l.answers = l.answers.slice(0, 1).map((a) => ({ ...a, t: LATE }));
    });
    const r = resultOf(bad, ID);
    expectFailure(r, `after chaos: ${fqdn0} resolved to NOERROR [${ipOf(0, 0)}] at t=${LATE}ms, expected NOERROR [${ipOf(0, 2)}]`);
    expect(r.evidence[0]?.observed).to.match(new RegExp(`^t=\\d+ms NOERROR \\[${ipOf(0, 0).replaceAll('.', '\\.')}\\]$`));
  });

  it('fails on NXDOMAIN, keeping earlier answers as evidence', () => {
    const bad = mutate(good, (d) => {
      const l = d.after.dnsA.find((x) => x.pod === 'web-2');
      l?.answers.push({ t: LATE, rcode: 'NXDOMAIN', addresses: [] });
    });
    const r = resultOf(bad, ID);
    expectFailure(r, fqdnOf('web-2'), 'NXDOMAIN');
    expect(r.evidence[0]?.observed).to.include(`NOERROR [${ipOf(2, 2)}]; t=${LATE}ms NXDOMAIN []`);
    expect(r.evidence[0]?.at).to.equal(LATE);
  });

  it('fails when the answer carries an extra address', () => {
    const bad = mutate(good, (d) => {
      const l = d.after.dnsA.find((x) => x.pod === 'web-1');
      l?.answers.push({ t: LATE, rcode: 'NOERROR', addresses: [ipOf(1, 2), '10.244.9.9'] });
    });
    expectFailure(resultOf(bad, ID), fqdnOf('web-1'), '10.244.9.9');
  });

  it('fails when no lookup was recorded for a pod', () => {
    const bad = mutate(good, (d) => (d.after.dnsA = d.after.dnsA.filter((l) => l.pod !== 'web-1')));
    expectFailure(resultOf(bad, ID), `no A lookup was recorded for ${fqdnOf('web-1')}`);
  });

  it('fails when the probe could not resolve the healthy baseline', () => {
    const bad = mutate(good, (d) => {
      const l = d.baseline.dnsA.find((x) => x.pod === 'web-0');
      if (l) l.answers = [{ t: 1, rcode: 'SERVFAIL', addresses: [] }];
    });
    expectFailure(resultOf(bad, ID), 'baseline', fqdn0, 'SERVFAIL');
  });

  it('matches names case-insensitively and with a trailing dot', () => {
    const ok = mutate(good, (d) =>
      d.after.dnsA.forEach((l) => {
        l.fqdn = `${l.fqdn.toUpperCase()}.`;
      }),
    );
    expect(resultOf(ok, ID).status).to.equal('passed');
  });
});

describe('STS-DNS-SRV', () => {
  const ID = 'STS-DNS-SRV';
  const srvT = good.after.dnsSrv?.t ?? 0;

  it('passes when SRV lists exactly the ready pods', () => {
    const r = resultOf(good, ID);
    expect(r.status).to.equal('passed');
    expect(r.message).to.include('3 ready pods on port 80');
  });

  it('fails when SRV lists an extra target', () => {
    const bad = mutate(good, (d) => d.after.dnsSrv?.targets.push({ target: `${fqdnOf('web-3')}.`, port: 80 }));
    expectFailure(resultOf(bad, ID), `SRV lists ${fqdnOf('web-3')}, which is not one of the ready pods`);
  });

  it('fails when SRV misses a ready pod', () => {
    const bad = mutate(good, (d) => {
      if (d.after.dnsSrv) d.after.dnsSrv.targets = d.after.dnsSrv.targets.filter((t) => !t.target.startsWith('web-1.'));
    });
    expectFailure(resultOf(bad, ID), `missing ${fqdnOf('web-1')}, listed throughout`);
  });

  it('fails when SRV still lists a pod that was not ready for longer than a TTL before the answer', () => {
    const bad = withPodStates(good, [[srvT - 7000, 'web-2', { ready: false }]]);
    expectFailure(resultOf(bad, ID), fqdnOf('web-2'), 'not one of the ready pods');
  });

  it('passes a readiness blink within one TTL of the answer, listed or not', () => {
    // web-2 not ready for 2 s, ending 1 s before the answer: a cache may hold either list.
    const blink = withPodStates(good, [
      [srvT - 3000, 'web-2', { ready: false }],
      [srvT - 1000, 'web-2', { ready: true }],
    ]);
    expect(resultOf(blink, ID).status, resultOf(blink, ID).message).to.equal('passed');
    const missing = mutate(blink, (d) => {
      if (d.after.dnsSrv) d.after.dnsSrv.targets = d.after.dnsSrv.targets.filter((x) => !x.target.startsWith('web-2.'));
    });
    const r = resultOf(missing, ID);
    expect(r.status, r.message).to.equal('passed');
    expect(JSON.stringify(r.evidence)).to.include('may also list');
  });

  it('with publishNotReadyAddresses, requires a not-ready pod with an IP, and tolerates no stale one', () => {
    const notReady = withPodStates(good, [[srvT - 7000, 'web-2', { ready: false }]]);
    const published = mutate(notReady, (d) => (d.workload.publishNotReadyAddresses = true));
    expect(resultOf(published, ID).status).to.equal('passed');
    const dropped = mutate(published, (d) => {
      if (d.after.dnsSrv) d.after.dnsSrv.targets = d.after.dnsSrv.targets.filter((x) => !x.target.startsWith('web-2.'));
    });
    expectFailure(resultOf(dropped, ID), `missing ${fqdnOf('web-2')}`);
  });

  it('never judges a truncated answer: TRUNCATED alone is error, never failed', () => {
    const cut = mutate(good, (d) => {
      if (d.after.dnsSrv)
        Object.assign(d.after.dnsSrv, { rcode: 'TRUNCATED', targets: [], error: 'the answer was truncated (TC bit set)' });
    });
    const r = resultOf(cut, ID);
    expect(r.status, r.message).to.equal('error');
    expect(r.message).to.include('truncated');
  });

  it('fails when targets disagree on the port', () => {
    const bad = mutate(good, (d) => {
      const t = d.after.dnsSrv?.targets[2];
      if (t) t.port = 8080;
    });
    expectFailure(resultOf(bad, ID), 'disagree on the port: 80, 8080');
  });

  it('fails with a clear message when no SRV lookup was recorded', () => {
    const bad = mutate(good, (d) => delete d.after.dnsSrv);
    expectFailure(resultOf(bad, ID), `no SRV lookup for _web._tcp.nginx.ordinal-abc123.svc.cluster.local`);
  });

  it('fails on NXDOMAIN with no targets, naming every missing pod', () => {
    const bad = mutate(good, (d) => {
      if (d.after.dnsSrv) Object.assign(d.after.dnsSrv, { rcode: 'NXDOMAIN', targets: [] });
    });
    const r = resultOf(bad, ID);
    expectFailure(r, 'SRV NXDOMAIN is missing', fqdnOf('web-0'), fqdnOf('web-2'));
    expect(r.evidence).to.have.length(3);
  });
});
