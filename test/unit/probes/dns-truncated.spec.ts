// A truncated DNS answer (TC bit) is not an answer: twenty SRV targets do not fit 512
// bytes of UDP, and a partial list judged as whole reported fifteen healthy pods missing.
// The bytes here are real DNS messages (dns2's encoder), served by a dns2 TCP server on
// 127.0.0.1 or dumped the way `od -An -tx1 -v` prints them inside a pod.
import type { Server } from 'node:net';
import { expect } from 'chai';
import DNS from 'dns2';
import { parseTcpSrvOutput, srvQueryEscaped } from '../../../lib/probes/dns-inpod.ts';
import { tcpDnsServer } from '../../../lib/probes/dns.ts';
import { resultOf } from '../helpers/assertions.ts';
import { FQDN_SUFFIX, buildWebInput, fqdnOf } from '../helpers/timeline-builder.ts';
import { mutate } from '../helpers/timeline-edit.ts';

const SRV = `_web._tcp.${FQDN_SUFFIX}`;

/** The reply a server gives over UDP to SRV `SRV` when only `fit` of `total` targets fit: TC set, the rest dropped. */
function replyBytes(total: number, fit: number, tc: boolean): Buffer {
  const query = new DNS.Packet();
  query.header.id = 4242;
  query.questions.push(new DNS.Packet.Question(SRV, DNS.Packet.TYPE.SRV, DNS.Packet.CLASS.IN));
  const reply = DNS.Packet.createResponseFromRequest(DNS.Packet.parse(query.toBuffer()));
  reply.header.tc = tc ? 1 : 0;
  for (let i = 0; i < Math.min(total, fit); i++) {
    reply.answers.push(
      new DNS.Packet.Resource({
        name: SRV,
        type: DNS.Packet.TYPE.SRV,
        class: DNS.Packet.CLASS.IN,
        ttl: 5,
        priority: 0,
        weight: 5,
        port: 80,
        target: fqdnOf(`web-${i}`),
      }),
    );
  }
  return reply.toBuffer();
}

/** As busybox `od -An -tx1 -v` prints the length-prefixed reply: 16 bytes a line. */
function odDump(body: Buffer): string {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length);
  const all = [...Buffer.concat([len, body])].map((b) => b.toString(16).padStart(2, '0'));
  const lines: string[] = [];
  for (let i = 0; i < all.length; i += 16) lines.push(` ${all.slice(i, i + 16).join(' ')}`);
  return `@@@ns 10.96.0.10\n${lines.join('\n')}\n`;
}

describe('truncated DNS answers (TC bit) are never judged as whole', () => {
  const servers: Server[] = [];
  after(() => {
    for (const s of servers) s.close();
  });

  it('the in-pod TCP path: a truncated reply is TRUNCATED with what it listed, a whole one lists every target', () => {
    const cut = parseTcpSrvOutput(odDump(replyBytes(20, 5, true)), 'pod web-0 resolver', 7);
    expect(cut.rcode).to.equal('TRUNCATED');
    expect(cut.targets).to.deep.equal([]);
    expect(cut.error).to.include('truncated (TC bit set)').and.include('5 target(s)');
    const whole = parseTcpSrvOutput(odDump(replyBytes(20, 20, false)), 'pod web-0 resolver', 7);
    expect(whole.rcode).to.equal('NOERROR');
    expect(whole.targets).to.have.length(20);
    expect(whole.ttl).to.equal(5);
  });

  it('the in-pod TCP path: no reply, a cut-short reply and a missing nc are TRANSPORT, not answers', () => {
    expect(parseTcpSrvOutput('@@@ns 10.96.0.10\n', 's', 1).error).to.include('no reply from 10.96.0.10:53');
    const short = odDump(replyBytes(20, 20, false))
      .split('\n')
      .slice(0, 4)
      .join('\n');
    expect(parseTcpSrvOutput(short, 's', 1)).to.deep.include({ rcode: 'TRANSPORT' });
    expect(parseTcpSrvOutput(short, 's', 1).error).to.include('cut short');
    expect(parseTcpSrvOutput('@@@missing\n', 's', 1).error).to.include('no nc or od');
  });

  it('the query the pod sends decodes back to one SRV question for the name', () => {
    const bytes = Buffer.from(
      srvQueryEscaped(SRV)
        .split('\\')
        .slice(1)
        .map((o) => Number.parseInt(o, 8)),
    );
    expect(bytes.readUInt16BE(0)).to.equal(bytes.length - 2);
    const q = DNS.Packet.parse(bytes.subarray(2));
    expect(q.questions).to.have.length(1);
    expect(q.questions[0]).to.deep.include({ name: SRV, type: DNS.Packet.TYPE.SRV });
  });

  it('a server answering with the TC bit over TCP is recorded TRUNCATED, and STS-DNS-SRV says error, not failed', async () => {
    const server = DNS.createTCPServer((request, send) => {
      const reply = DNS.Packet.parse(replyBytes(20, 5, true));
      reply.header.id = request.header.id;
      void send(reply);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const s = tcpDnsServer('127.0.0.1', (server.address() as { port: number }).port, 'truncating', { timeoutMs: 2000 });
    const a = await s.resolveSrv(SRV, () => 9);
    expect(a.rcode).to.equal('TRUNCATED');
    expect(a.targets).to.deep.equal([]);
    const good = buildWebInput();
    const input = mutate(good, (d) => {
      if (d.after.dnsSrv)
        Object.assign(d.after.dnsSrv, { rcode: a.rcode, targets: a.targets, error: a.error, servers: [{ ...a, t: d.after.dnsSrv.t }] });
    });
    const r = resultOf(input, 'STS-DNS-SRV');
    expect(r.status, r.message).to.equal('error');
    expect(r.message).to.include('truncated');
  });
});
