// The DNS probe against fake DNS servers on 127.0.0.1 (dns2 over TCP, as the real probe
// talks to CoreDNS through a port-forward): each records what it saw, and the checks
// turn an answer nobody gave (timeout, closed or refused connection) into `error` and a
// wrong answer into `failed`. Fakes are allowed here only: these are probe unit tests.
import { createServer, type Server, type Socket } from 'node:net';
import { expect } from 'chai';
import DNS from 'dns2';
import { tcpDnsServer, type DnsServer } from '../../../lib/probes/dns.ts';
import { settleA, settleSrv, within } from '../../../lib/probes/dns-settle.ts';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { DnsALookup, DnsAnswer } from '../../../lib/probes/records.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { AFTER_SETTLED_MS, FQDN_SUFFIX, buildWebInput, fqdnOf } from '../helpers/timeline-builder.ts';
import { mutate, podIn } from '../helpers/timeline-edit.ts';

type Script = 'close' | 'hang' | { rcode: number; a?: string[]; srv?: string[] };

/** Connections the silent servers hold open; ended after the suite so mocha can exit. */
const held = new Set<Socket>();

const good = buildWebInput();
const IP = podIn(good.after, 'web-0').ip;
const STALE = podIn(good.baseline, 'web-0').ip;
const NAME = fqdnOf('web-0');
const SRV = `_web._tcp.${FQDN_SUFFIX}`;
const READY = good.after.pods.filter((p) => p.ready).map((p) => fqdnOf(p.name));

/** A DNS-over-TCP server on 127.0.0.1 that answers every question as `script` says. */
async function fakeDns(script: Script): Promise<{ port: number; server: Server }> {
  const server: Server =
    script === 'close'
      ? createServer((s: Socket) => s.destroy())
      : script === 'hang'
        ? createServer((s: Socket) => held.add(s)) // holds the connection, never answers
        : DNS.createTCPServer((request, send) => {
            const response = DNS.Packet.createResponseFromRequest(request);
            response.header.rcode = script.rcode;
            const q = request.questions[0]!;
            if (q.type === DNS.Packet.TYPE.A) {
              for (const address of script.a ?? [])
                response.answers.push(
                  new DNS.Packet.Resource({ name: q.name, type: DNS.Packet.TYPE.A, class: DNS.Packet.CLASS.IN, ttl: 1, address }),
                );
            }
            if (q.type === DNS.Packet.TYPE.SRV) {
              for (const target of script.srv ?? []) {
                response.answers.push(
                  new DNS.Packet.Resource({
                    name: q.name,
                    type: DNS.Packet.TYPE.SRV,
                    class: DNS.Packet.CLASS.IN,
                    ttl: 1,
                    priority: 0,
                    weight: 10,
                    port: 80,
                    target,
                  }),
                );
              }
            }
            void send(response);
          });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, server };
}

/** A port nothing listens on: connections are refused. */
async function refusedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

// Answers fall where the recorded run's settled ones do: past every readiness change by more than a TTL.
let started = performance.now();
const now = (): number => Math.round(good.after.t + AFTER_SETTLED_MS + performance.now() - started);
const servers: Server[] = [];
async function dnsServer(script: Script, name: string): Promise<DnsServer> {
  const f = await fakeDns(script);
  servers.push(f.server);
  return tcpDnsServer('127.0.0.1', f.port, name, { timeoutMs: 300 });
}

/** The good run with web-0's after-chaos lookup replaced by what the probe recorded. */
function withLookup(l: DnsALookup): CheckInput {
  return mutate(good, (d) => {
    d.after.dnsA = d.after.dnsA.map((x) => (x.pod === 'web-0' ? l : x));
  });
}

describe('DNS probe against fake DNS servers (TCP, 127.0.0.1)', function () {
  this.timeout(10_000);
  beforeEach(() => {
    started = performance.now();
  });
  after(() => {
    for (const s of held) s.destroy();
    for (const s of servers) s.close();
  });

  it('records answers as answers: right IP, stale IP, NXDOMAIN, SERVFAIL', async () => {
    const cases: [Script, string, string[]][] = [
      [{ rcode: 0, a: [IP] }, 'NOERROR', [IP]],
      [{ rcode: 0, a: [STALE] }, 'NOERROR', [STALE]],
      [{ rcode: 3 }, 'NXDOMAIN', []],
      [{ rcode: 2 }, 'SERVFAIL', []],
    ];
    for (const [script, rcode, addresses] of cases) {
      const a = await (await dnsServer(script, 'fake')).resolveA(NAME, now);
      expect(a, JSON.stringify(script)).to.include({ rcode });
      expect(a.addresses).to.deep.equal(addresses);
      expect(a.error).to.equal(undefined);
    }
  });

  it('records a closed connection and a refused one as TRANSPORT with the error, a silent server as TIMEOUT', async () => {
    const closed = await (await dnsServer('close', 'closes')).resolveA(NAME, now);
    expect(closed.rcode).to.equal('TRANSPORT');
    expect(closed.error).to.be.a('string').and.not.equal('');
    const refused = await tcpDnsServer('127.0.0.1', await refusedPort(), 'refused').resolveA(NAME, now);
    expect(refused.rcode).to.equal('TRANSPORT');
    expect(refused.error).to.include('ECONNREFUSED');
    const started = performance.now();
    const silent = await (await dnsServer('hang', 'silent')).resolveA(NAME, now);
    expect(silent.rcode).to.equal('TIMEOUT');
    expect(silent.error).to.include('within 300ms');
    expect(performance.now() - started).to.be.lessThan(2000);
  });

  it("asks every server until each is right, keeping each server's answers", async () => {
    const right = await dnsServer({ rcode: 0, a: [IP] }, 'right');
    const stale = await dnsServer({ rcode: 0, a: [STALE] }, 'stale');
    const l = await settleA([right, stale], 'web-0', NAME, IP, within(1200, now), now);
    expect(l.servers?.map((s) => s.server)).to.deep.equal(['right', 'stale']);
    expect(l.servers?.[0]?.answers).to.have.length(1); // settled at once, not asked again
    expect(l.servers?.[1]?.answers.length).to.be.greaterThan(1); // re-asked after the TTL
    expect(l.answers).to.deep.equal(l.servers?.[0]?.answers);
  });

  it('STS-DNS-A: a wrong answer from any server fails, naming the disagreement', async () => {
    const l = await settleA(
      [await dnsServer({ rcode: 0, a: [IP] }, 'right'), await dnsServer({ rcode: 0, a: [STALE] }, 'stale')],
      'web-0',
      NAME,
      IP,
      within(600, now),
      now,
    );
    expectFailure(resultOf(withLookup(l), 'STS-DNS-A'), `resolved to NOERROR [${STALE}]`, 'from stale', 'servers disagree: right answered');
  });

  it('STS-DNS-A: NXDOMAIN and SERVFAIL are answers, judged as failures', async () => {
    for (const [rcode, text] of [
      [3, 'NXDOMAIN'],
      [2, 'SERVFAIL'],
    ] as const) {
      const l = await settleA([await dnsServer({ rcode }, text)], 'web-0', NAME, IP, within(300, now), now);
      expectFailure(resultOf(withLookup(l), 'STS-DNS-A'), `${NAME} resolved to ${text}`);
    }
  });

  it('STS-DNS-A: no answer from any server (closed, silent, refused) is error, never failed', async () => {
    const refused = tcpDnsServer('127.0.0.1', await refusedPort(), 'refused', { timeoutMs: 300 });
    const l = await settleA(
      [await dnsServer('close', 'closes'), await dnsServer('hang', 'silent'), refused],
      'web-0',
      NAME,
      IP,
      within(300, now),
      now,
    );
    const r = resultOf(withLookup(l), 'STS-DNS-A');
    expect(r.status, r.message).to.equal('error');
    expect(r.message).to.include(NAME);
    const seen = JSON.stringify(r.evidence);
    for (const s of ['closes', 'silent', 'refused', 'TIMEOUT', 'TRANSPORT', 'ECONNREFUSED']) expect(seen).to.include(s);
  });

  it('STS-DNS-A: one server right and another silent passes, noting the silent one', async () => {
    const l = await settleA(
      [await dnsServer({ rcode: 0, a: [IP] }, 'right'), await dnsServer('hang', 'silent')],
      'web-0',
      NAME,
      IP,
      within(300, now),
      now,
    );
    const r = resultOf(withLookup(l), 'STS-DNS-A');
    expect(r.status, r.message).to.equal('passed');
    expect(r.evidence.find((e) => e.subject === NAME && e.note?.startsWith('after chaos'))?.note).to.include(
      'no answer from silent (TIMEOUT',
    );
  });

  it('STS-DNS-A: a wrong in-pod answer fails even when the servers are right', async () => {
    const l = await settleA([await dnsServer({ rcode: 0, a: [IP] }, 'right')], 'web-0', NAME, IP, within(300, now), now);
    const stale: DnsAnswer = { t: now(), rcode: 'NOERROR', addresses: [STALE] };
    expectFailure(
      resultOf(withLookup({ ...l, inPod: { pod: 'web-1', answer: stale } }), 'STS-DNS-A'),
      'pod web-1 resolver (in-pod)',
      'servers disagree',
    );
  });

  it('STS-DNS-SRV: judged per server; extra targets fail, all-unobserved is error, one silent server is a note', async () => {
    const want = READY;
    const right = await dnsServer({ rcode: 0, srv: want }, 'right');
    const extra = await dnsServer({ rcode: 0, srv: [...want, fqdnOf('web-7')] }, 'extra');
    const silent = await dnsServer('hang', 'silent');
    const closes = await dnsServer('close', 'closes');
    const srvOf = async (ss: DnsServer[]): Promise<CheckInput> => {
      const s = await settleSrv(ss, SRV, want, within(300, now), now);
      return mutate(good, (d) => (d.after.dnsSrv = s));
    };
    expect(resultOf(await srvOf([right, silent]), 'STS-DNS-SRV').status).to.equal('passed');
    expectFailure(resultOf(await srvOf([right, extra]), 'STS-DNS-SRV'), `SRV lists ${fqdnOf('web-7')}`, 'from extra');
    const blind = resultOf(await srvOf([silent, closes]), 'STS-DNS-SRV');
    expect(blind.status, blind.message).to.equal('error');
    expect(JSON.stringify(blind.evidence)).to.include('TIMEOUT').and.include('TRANSPORT');
  });
});
