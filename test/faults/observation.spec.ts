// Observation faults make checks `error`, never `failed`, and the run exits 2. Just before
// the after snapshot, two things the probes depend on go away: the kubelet (stopped by
// component.sh, by recorded PID), so every exec fails (the in-pod hostname, the sentinel
// read, the in-pod resolver), and the loopback TCP proxy the run was given as
// --dns-server (it forwards to a CoreDNS pod IP), so DNS queries are refused. The kubelet
// starts again once the scale-down is requested.
import { expect } from 'chai';
import type { Cluster } from '../../lib/cluster.ts';
import { at, connectTestCluster, corednsPodIps, evidenceText, expectCheck, expectClusterHealthy, expectExit, type FaultRun, hooks, Outage, runWithFault, type TcpProxy, tcpProxy } from './support.ts';

const FQDN = /^web-\d\.nginx\.ordinal-[\w-]+\.svc\.cluster\.local$/;
const SRV = /^_web\._tcp\.nginx\.ordinal-[\w-]+\.svc\.cluster\.local$/;

describe('fault: the kubelet and the DNS server are gone during the after snapshot', function () {
  this.timeout(360_000);
  let cluster: Cluster;
  // Every node's kubelet: on several nodes the pods are spread out.
  const outage = new Outage(() => cluster);
  let run: FaultRun;
  let proxy: TcpProxy | undefined;

  before(async function () {
    cluster = await connectTestCluster();
    const [server] = await corednsPodIps(cluster);
    if (!server) throw new Error('no Ready CoreDNS pod in kube-system');
    const p = await tcpProxy(server, 53);
    proxy = p;
    run = await runWithFault(['--rounds', '0', '--seed', '1', '--dns-server', p.address], hooks(
      at('before-after-snapshot', async (ctx) => {
        await p.close();
        ctx.log(`fault: DNS proxy ${p.address} stopped after ${p.connections()} connections`);
        await outage.stop('kubelet');
        ctx.log('fault: kubelet stopped');
      }),
      at('scale-down-requested', async (ctx) => {
        await outage.start('kubelet');
        ctx.log('fault: kubelet started again');
      }),
    ));
    console.log(`      run ${run.result.runId}: ${(run.ms / 1000).toFixed(1)}s, exit ${run.exitCode}`);
  });

  after(async function () {
    await proxy?.close();
    await outage.restore();
    if (cluster) await expectClusterHealthy(cluster);
  });

  it('the baseline was resolved through the proxy', function () {
    expect(proxy?.connections() ?? 0).to.be.greaterThan(0);
  });

  it('STS-IDENTITY is an error, naming a pod whose hostname could not be read', function () {
    expectCheck(run, 'STS-IDENTITY', 'error', /^pod web-\d$/);
  });

  it('STS-DATA-SENTINEL is an error, naming a sentinel that could not be read', function () {
    expectCheck(run, 'STS-DATA-SENTINEL', 'error', /^sentinel web-\d:/);
  });

  it('STS-DNS-A is an error, naming a pod name no server answered for', function () {
    const c = expectCheck(run, 'STS-DNS-A', 'error', FQDN);
    expect(evidenceText(c)).to.include(proxy?.address ?? '(no proxy)');
  });

  it('STS-DNS-SRV is an error, naming the SRV name', function () {
    expectCheck(run, 'STS-DNS-SRV', 'error', SRV);
  });

  it('no check failed, and the run exits 2', function () {
    expect(run.result.checks.filter((c) => c.status === 'failed').map((c) => c.id)).to.deep.equal([]);
    expectExit(run, 2);
  });
});
