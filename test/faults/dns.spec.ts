// STS-DNS-A and STS-DNS-SRV, broken guarantee: a rogue EndpointSlice for the headless
// service (labelled kubernetes.io/service-name, managed by someone other than the
// endpointslice controller, which leaves it alone) publishes web-1 at a wrong pod-range
// IP and an extra hostname web-9; CoreDNS serves both. (The DNS observation fault is in
// observation.spec.ts.)
import { Resolver } from 'node:dns/promises';
import { expect } from 'chai';
import * as k8s from '@kubernetes/client-node';
import { at, corednsPodIps, expectCheck, expectExit, faultRun, waitUntil } from './support.ts';

const ROGUE_IP = '10.244.0.250';
const EXTRA_IP = '10.244.0.251';

let fqdn = (pod: string): string => pod;
let servers: string[] = [];

faultRun(
  'fault: a rogue EndpointSlice publishes web-1 at a wrong IP and an extra web-9',
  {
    setup: async (cluster) => {
      servers = await corednsPodIps(cluster);
    },
    argv: ['--rounds', '0', '--seed', '1'],
    hook: at('before-after-snapshot', async (ctx) => {
      const { namespace, service, portName, clusterDomain } = ctx.workload.info;
      fqdn = (pod) => `${pod}.${service}.${namespace}.svc.${clusterDomain}`;
      const used = [...ctx.recorder.pods.values()].map((p) => p.ip);
      if (used.includes(ROGUE_IP) || used.includes(EXTRA_IP)) throw new Error(`a pod already uses ${ROGUE_IP} or ${EXTRA_IP}`);
      await ctx.cluster.kc.makeApiClient(k8s.DiscoveryV1Api).createNamespacedEndpointSlice({
        namespace,
        body: {
          metadata: {
            name: 'rogue',
            labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'fault-test.ordinal.dev' },
          },
          addressType: 'IPv4',
          ports: [{ name: portName, port: 80, protocol: 'TCP' }],
          endpoints: [
            { addresses: [ROGUE_IP], hostname: 'web-1', conditions: { ready: true } },
            { addresses: [EXTRA_IP], hostname: 'web-9', conditions: { ready: true } },
          ],
        },
      });
      ctx.log('fault: EndpointSlice rogue created');
      // The fault is planted once CoreDNS answers with it (its cache holds answers for 5 s).
      const resolver = new Resolver({ timeout: 2000, tries: 1 });
      resolver.setServers(servers);
      await waitUntil('CoreDNS to serve the rogue endpoints', 30_000, async () => {
        const a = await resolver.resolve4(fqdn('web-1')).catch((e: Error) => [e.message]);
        const srv = await resolver.resolveSrv(`_${portName}._tcp.${service}.${namespace}.svc.${clusterDomain}`).catch(() => []);
        const ok = a.includes(ROGUE_IP) && srv.some((s) => s.name.startsWith('web-9.'));
        return { ok, seen: `A web-1 ${a.join(',')}; SRV ${srv.map((s) => s.name).join(',')}` };
      });
    }),
  },
  (t) => {
    it('STS-DNS-A fails, naming web-1 and the rogue IP', function () {
      const c = expectCheck(t.run, 'STS-DNS-A', 'failed', fqdn('web-1'));
      expect(c.evidence.find((e) => e.subject === fqdn('web-1'))?.observed).to.include(ROGUE_IP);
    });

    it('STS-DNS-SRV fails, naming the extra target web-9', function () {
      expectCheck(t.run, 'STS-DNS-SRV', 'failed', fqdn('web-9'));
    });

    it('exits 1', function () {
      expectExit(t.run, 1);
    });
  },
);
