// `ordinal cleanup --yes` deletes only namespaces Ordinal created: a namespace that merely
// carries a run's labels (copied onto payments-prod, or onto a namespace named like a run
// with a creation record copied from a real run) survives, while the real run namespace
// next to it is deleted in the same pass. Real cluster; --run-id keeps other people's
// runs on the shared cluster out of it.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Cluster } from '../../../lib/cluster/cluster.ts';
import { createRunNamespace, RECORD_NAME } from '../../../lib/run/namespace.ts';
import { newRunId } from '../../../lib/run/run-id.ts';
import { MANAGED_BY, RUN_LABEL } from '../../../lib/workloads/common.ts';
import { connectTestCluster, runCli, type CliResult } from '../helpers.ts';

const show = (r: CliResult): string => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

describe('ordinal cleanup leaves namespaces it did not create (integration, real cluster)', function () {
  this.timeout(120_000);
  let cluster: Cluster;
  // Two made-up runs: run A has a real namespace and a copy-labelled payments-prod;
  // run B has only a forgery named like a run, its record copied from A's namespace.
  const runA = newRunId();
  const runB = newRunId(new Date(Date.now() + 1000));
  const prod = `payments-prod-${randomBytes(3).toString('hex')}`;
  const forged = `ordinal-${runB}`;
  const created: string[] = [];

  async function namespaceExists(name: string): Promise<boolean> {
    const l = await cluster.core.listNamespace({ fieldSelector: `metadata.name=${name}` });
    return l.items.some((n) => !n.metadata?.deletionTimestamp);
  }

  before(async function () {
    cluster = await connectTestCluster();
    await createRunNamespace(cluster, `ordinal-${runA}`, runA);
    created.push(`ordinal-${runA}`);
    const real = await cluster.core.readNamespace({ name: `ordinal-${runA}` });
    for (const [name, runId] of [
      [prod, runA],
      [forged, runB],
    ] as const) {
      await cluster.core.createNamespace({ body: { metadata: { name, labels: { ...MANAGED_BY, [RUN_LABEL]: runId } } } });
      created.push(name);
    }
    // The forgery's record is a faithful copy of the real one: same data, A's UID.
    const record = await cluster.core.readNamespacedConfigMap({ name: RECORD_NAME, namespace: `ordinal-${runA}` });
    await cluster.core.createNamespacedConfigMap({ namespace: forged, body: { metadata: { name: RECORD_NAME }, data: record.data ?? {} } });
    expect(record.data?.['namespace-uid']).to.equal(real.metadata?.uid);
  });

  after(async function () {
    for (const name of created) await cluster?.core.deleteNamespace({ name }).catch(() => undefined);
  });

  it(`--yes --run-id <A> deletes ordinal-<A> and leaves payments-prod, labelled like run A, in place`, async function () {
    const r = await runCli(['cleanup', '--yes', '--run-id', runA]);
    expect(r.code, show(r)).to.equal(0);
    expect(r.stdout, show(r)).to.include(`deleted ordinal-${runA}`);
    expect(r.stdout, show(r)).to.match(new RegExp(`leaving ${prod} alone: .*its name is not ordinal-${runA}`));
    expect(r.stdout).to.not.include(`deleted ${prod}`);
    const deadline = Date.now() + 60_000;
    while ((await namespaceExists(`ordinal-${runA}`)) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 1000));
    expect(await namespaceExists(`ordinal-${runA}`), 'the real run namespace is deleted (at least terminating) within 60 s').to.equal(
      false,
    );
    expect(await namespaceExists(prod), `${prod} survives`).to.equal(true);
  });

  it('--yes --run-id <B> leaves a namespace named like run B whose creation record was copied from another namespace', async function () {
    const r = await runCli(['cleanup', '--yes', '--run-id', runB]);
    expect(r.code, show(r)).to.equal(0);
    expect(r.stdout, show(r)).to.match(new RegExp(`leaving ${forged} alone: .*creation record names namespace UID`));
    expect(r.stdout).to.not.include(`deleted ${forged}`);
    expect(await namespaceExists(forged), `${forged} survives`).to.equal(true);
  });
});
