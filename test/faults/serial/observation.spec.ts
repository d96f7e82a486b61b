// Observation faults make checks `error`, never `failed`, and the run exits 2. Just before
// the after snapshot, two things the probes depend on go away: the kubelet (stopped by
// component.sh, by recorded PID), so every exec fails (the in-pod hostname, the sentinel
// read, the in-pod resolver), and the loopback TCP proxy the run was given as
// --dns-server (it forwards to a CoreDNS pod IP), so DNS queries are refused. The kubelet
// starts again once the scale-down is requested.
import { expect } from 'chai';
import { at, corednsPodIps, evidenceText, expectCheck, expectExit, faultRun, hooks, Outage, type TcpProxy, tcpProxy } from '../support.ts';

const FQDN = /^web-\d\.nginx\.ordinal-[\w-]+\.svc\.cluster\.local$/;
const SRV = /^_web\._tcp\.nginx\.ordinal-[\w-]+\.svc\.cluster\.local$/;

let outage: Outage | undefined;
let proxy: TcpProxy | undefined;

/** What setup made, for the hooks: the run only starts once setup has made both. */
function made(): { outage: Outage; proxy: TcpProxy } {
  if (!outage || !proxy) throw new Error('setup made no Outage or DNS proxy');
  return { outage, proxy };
}

faultRun(
  'fault: the kubelet and the DNS server are gone during the after snapshot',
  {
    setup: async (cluster) => {
      // Every node's kubelet: on several nodes the pods are spread out.
      outage = new Outage(() => cluster);
      const [server] = await corednsPodIps(cluster);
      if (!server) throw new Error('no Ready CoreDNS pod in kube-system');
      proxy = await tcpProxy(server, 53);
    },
    argv: () => ['--rounds', '0', '--seed', '1', '--dns-server', made().proxy.address],
    hook: hooks(
      at('before-after-snapshot', async (ctx) => {
        const p = made().proxy;
        await p.close();
        ctx.log(`fault: DNS proxy ${p.address} stopped after ${p.connections()} connections`);
        await made().outage.stop('kubelet');
        ctx.log('fault: kubelet stopped');
      }),
      at('scale-down-requested', async (ctx) => {
        await made().outage.start('kubelet');
        ctx.log('fault: kubelet started again');
      }),
    ),
    cleanup: async () => {
      await proxy?.close();
      await outage?.restore();
    },
  },
  (t) => {
    it('the baseline was resolved through the proxy', function () {
      expect(proxy?.connections() ?? 0).to.be.greaterThan(0);
    });

    it('STS-IDENTITY is an error, naming a pod whose hostname could not be read', function () {
      expectCheck(t.run, 'STS-IDENTITY', 'error', /^pod web-\d$/);
    });

    it('STS-DATA-SENTINEL is an error, naming a sentinel that could not be read', function () {
      expectCheck(t.run, 'STS-DATA-SENTINEL', 'error', /^sentinel web-\d:/);
    });

    it('STS-DNS-A is an error, naming a pod name no server answered for', function () {
      const c = expectCheck(t.run, 'STS-DNS-A', 'error', FQDN);
      expect(evidenceText(c)).to.include(proxy?.address ?? '(no proxy)');
    });

    it('STS-DNS-SRV is an error, naming the SRV name', function () {
      expectCheck(t.run, 'STS-DNS-SRV', 'error', SRV);
    });

    it('no check failed, and the run exits 2', function () {
      expect(t.run.result.checks.filter((c) => c.status === 'failed').map((c) => c.id)).to.deep.equal([]);
      expectExit(t.run, 2);
    });
  },
);
