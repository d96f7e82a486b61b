// disk-full's probe when the workload container cannot be entered. etcd and PostgreSQL
// exit on ENOSPC and wait in CrashLoopBackOff, so an exec finds no container; the probe
// then takes the agent's own write on the same filesystem (lib/chaos/disk-probe.ts), and
// says why. Real pods on the local cluster, real exec failures and real container states:
// a pod whose container exits at once, and a sleeping one whose exec works (where the
// agent's answer must be ignored). The agent's side, its write after a fill and a free, is
// asserted on a real full volume in agent-netfaults.spec.ts.
import type { V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { DiskProbe } from '../../lib/agent/disk-request.ts';
import { probeDisk, type ProbeContext } from '../../lib/chaos/disk-probe.ts';
import type { Cluster } from '../../lib/cluster/cluster.ts';
import { ObservationError } from '../../lib/errors.ts';
import { runNamespace } from '../../lib/names.ts';
import { createRunNamespace } from '../../lib/run/namespace.ts';
import { newRunId } from '../../lib/run/run-id.ts';
import { sleeper } from './leftovers.ts';
import { connectTestCluster, waitUntil } from './support.ts';

const BUSYBOX = 'docker.io/library/busybox:1.35.0';
/** What the agent's status would carry after a fill: its write failed with ENOSPC. */
const AGENT_FULL: DiskProbe = { rc: 1, message: 'ENOSPC: no space left on device, write', fill: true, sizeKiB: 15_000, availKiB: 0 };

describe("fault: the disk probe answers with the agent's write only while the workload container is down", function () {
  this.timeout(150_000);
  let cluster: Cluster;
  const runId = newRunId();
  const ns = runNamespace(runId);
  const ctx = (ms: number): ProbeContext => ({ cluster, namespace: ns, deadline: Date.now() + ms, workload: { container: 'main' } });
  let asked = 0;
  const agent = async (): Promise<DiskProbe> => {
    asked++;
    return AGENT_FULL;
  };

  before(async function () {
    cluster = await connectTestCluster();
    await createRunNamespace(cluster, ns, runId);
    const crashing: V1Pod = {
      metadata: { name: 'down' },
      spec: {
        terminationGracePeriodSeconds: 0,
        containers: [{ name: 'main', image: BUSYBOX, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'exit 3'] }],
      },
    };
    await cluster.core.createNamespacedPod({ namespace: ns, body: crashing });
    await Promise.all([
      sleeper(cluster, ns, 'up'),
      waitUntil(`pod ${ns}/down restarted and waiting`, 90_000, async () => {
        const p = await cluster.core.readNamespacedPod({ name: 'down', namespace: ns });
        const s = p.status?.containerStatuses?.[0];
        return { ok: (s?.restartCount ?? 0) >= 1 && s?.state?.running === undefined, seen: JSON.stringify(s?.state ?? {}) };
      }),
    ]);
  });

  after(async function () {
    await cluster?.core.deleteNamespace({ name: ns }).catch(() => undefined);
  });

  it("takes the agent's write for a container that exited and waits to restart, and names its state", async function () {
    const p = await probeDisk(ctx(60_000), 'down', '/tmp', 'probe of down', agent);
    expect(p.by).to.equal('agent');
    expect(p).to.include({ rc: 1, fill: true });
    if (p.by === 'agent')
      expect(p.down).to.match(
        /^container main of down is not running \((waiting: CrashLoopBackOff|terminated: Error, exit 3); \d+ restarts\)$/,
      );
  });

  it('without the agent to ask, the same probe is an observation error naming the exec failure', async function () {
    const err = await probeDisk(ctx(4000), 'down', '/tmp', 'probe of down').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ObservationError);
    expect(String(err)).to.match(/probe of down: the volume probe \(df and dd through exec in down\) could not run \(\d+ tries\)/);
  });

  it('writes inside a running container, and never asks the agent there', async function () {
    const before = asked;
    const p = await probeDisk(ctx(60_000), 'up', '/tmp', 'probe of up', agent);
    expect(p.by).to.equal('pod');
    expect(p).to.include({ rc: 0, fill: false });
    expect(p.sizeKiB).to.be.greaterThan(0);
    expect(asked).to.equal(before);
  });
});
