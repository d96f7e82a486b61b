// Bring your own StatefulSet, the pure parts: WorkloadInfo derived from StatefulSets of
// different shapes, the opt-in refusal, pod ownership, manifest parsing errors, the
// cluster domain from resolv.conf, probes adapted to an image, and the checks that a
// --target run skips (each with its reason).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { runChecks } from '../../../lib/checks/catalog.ts';
import { UsageError } from '../../../lib/errors.ts';
import { adaptToImage, clusterDomainFrom, type ImageFacts } from '../../../lib/probes/image.ts';
import { notOwned, optInCommand, parseTargetRef, refusalOf, selectorMatches } from '../../../lib/run/subject/target.ts';
import type { CheckInput } from '../../../lib/checks/api.ts';
import { workloadFromStatefulSet, type DeriveOptions } from '../../../lib/workloads/derive.ts';
import { parseManifest, placeManifest } from '../../../lib/workloads/manifest.ts';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');

function sts(
  over: {
    spec?: Partial<NonNullable<IStatefulSet['spec']>>;
    containers?: NonNullable<NonNullable<IStatefulSet['spec']>['template']['spec']>['containers'];
  } = {},
): IStatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'pg', namespace: 'shop' },
    spec: {
      serviceName: 'pg-hl',
      replicas: 3,
      selector: { matchLabels: { app: 'pg' } },
      template: {
        metadata: { labels: { app: 'pg' } },
        spec: {
          containers: over.containers ?? [
            { name: 'postgres', image: 'postgres:17', volumeMounts: [{ name: 'pgdata', mountPath: '/var/lib/postgresql/data' }] },
          ],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'pgdata' }, spec: { accessModes: ['ReadWriteOnce'] } }],
      ...over.spec,
    },
  };
}

const opts = (o: Partial<DeriveOptions> = {}): DeriveOptions => ({
  kind: 'target',
  namespace: 'shop',
  service: { spec: { ports: [{}, { name: 'postgres' }] } },
  sentinel: 'on',
  ...o,
});

describe('workloadFromStatefulSet: everything from the object', () => {
  it('a one-claim StatefulSet: service, claims, policy, replicas, port name, the container and mount of the claim', () => {
    const w = workloadFromStatefulSet(sts(), opts());
    expect(w.info).to.deep.equal({
      kind: 'target',
      namespace: 'shop',
      statefulSet: 'pg',
      service: 'pg-hl',
      replicas: 3,
      claimTemplates: ['pgdata'],
      clusterDomain: '',
      portName: 'postgres',
      podManagementPolicy: 'OrderedReady',
      options: {
        podManagementPolicy: 'OrderedReady',
        updateStrategy: 'RollingUpdate',
        partition: 0,
        minReadySeconds: 0,
        startOrdinal: 0,
        pvcRetention: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      },
    });
    expect(w).to.include({ container: 'postgres', dataPath: '/var/lib/postgresql/data', ordinalsStart: 0 });
    expect(w.sentinelSkip).to.equal(undefined);
  });

  it("the Service's publishNotReadyAddresses, which STS-DNS-A/SRV honour", () => {
    const svc = { spec: { ports: [{ name: 'postgres' }], publishNotReadyAddresses: true } };
    expect(workloadFromStatefulSet(sts(), opts({ service: svc })).info.publishNotReadyAddresses).to.equal(true);
    expect(workloadFromStatefulSet(sts(), opts()).info.publishNotReadyAddresses).to.equal(undefined);
  });

  it('Parallel, ordinals.start, replicas left out (1), no named port', () => {
    const w = workloadFromStatefulSet(
      sts({ spec: { podManagementPolicy: 'Parallel', ordinals: { start: 5 }, replicas: undefined } }),
      opts({ service: undefined }),
    );
    expect(w.info).to.include({ podManagementPolicy: 'Parallel', replicas: 1, portName: '' });
    expect(w.ordinalsStart).to.equal(5);
    // The checks and the round walk read the start ordinal from here, as for a sample.
    expect(w.info.options).to.include({ startOrdinal: 5, podManagementPolicy: 'Parallel' });
  });

  it('update strategy, partition, maxUnavailable, minReadySeconds and retention come from the object', () => {
    const w = workloadFromStatefulSet(
      sts({
        spec: {
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2, maxUnavailable: '50%' } },
          minReadySeconds: 7,
          persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete' },
        },
      }),
      opts(),
    );
    expect(w.info.options).to.deep.equal({
      podManagementPolicy: 'OrderedReady',
      updateStrategy: 'RollingUpdate',
      partition: 2,
      minReadySeconds: 7,
      startOrdinal: 0,
      pvcRetention: { whenDeleted: 'Retain', whenScaled: 'Delete' },
    });
  });

  it('two claims in a sidecar layout: the first claim by default, --sentinel-path by claim name or by a directory in a mount', () => {
    const containers = [
      { name: 'log-shipper', image: 'x', volumeMounts: [{ name: 'logs', mountPath: '/logs', readOnly: true }] },
      {
        name: 'app',
        image: 'y',
        volumeMounts: [
          { name: 'data', mountPath: '/data' },
          { name: 'logs', mountPath: '/var/log/app' },
        ],
      },
    ];
    const two = sts({ containers, spec: { volumeClaimTemplates: [{ metadata: { name: 'data' } }, { metadata: { name: 'logs' } }] } });
    expect(workloadFromStatefulSet(two, opts())).to.include({ container: 'app', dataPath: '/data' });
    // By name, the first container mounting it wins: here read-only, so the sentinel is skipped with why.
    const logs = workloadFromStatefulSet(two, opts({ sentinelPath: 'logs' }));
    expect(logs.sentinelSkip).to.equal('the claim logs is mounted read-only at /logs in container log-shipper');
    const dir = workloadFromStatefulSet(two, opts({ sentinelPath: '/var/log/app/ordinal/' }));
    expect(dir).to.include({ container: 'app', dataPath: '/var/log/app/ordinal' });
    expect(() => workloadFromStatefulSet(two, opts({ sentinelPath: 'cache' }))).to.throw(
      UsageError,
      'no volume claim template of that name; the StatefulSet has data, logs',
    );
    expect(() => workloadFromStatefulSet(two, opts({ sentinelPath: '/tmp' }))).to.throw(
      UsageError,
      'not inside the mount of any volume claim template',
    );
    expect(() => workloadFromStatefulSet(two, opts({ sentinelPath: '/database' }))).to.throw(UsageError, 'not inside the mount');
  });

  it('no claims, or --sentinel off: no sentinel, with the reason', () => {
    expect(workloadFromStatefulSet(sts({ spec: { volumeClaimTemplates: [] } }), opts()).sentinelSkip).to.equal(
      'the StatefulSet has no volume claim templates',
    );
    expect(workloadFromStatefulSet(sts(), opts({ sentinel: 'off' })).sentinelSkip).to.match(/^the sentinel is off \(--sentinel off\)/);
  });

  it('refuses an object it cannot run against (exit 2)', () => {
    expect(() => workloadFromStatefulSet(sts({ spec: { serviceName: '' } }), opts())).to.throw(UsageError, 'has no spec.serviceName');
    expect(() => workloadFromStatefulSet(sts({ containers: [] }), opts())).to.throw(UsageError, 'has no containers');
  });
});

describe('--target: opt-in and ownership', () => {
  const ref = { namespace: 'shop', name: 'pg' };

  it('parses <namespace>/<statefulset> and nothing else', () => {
    expect(parseTargetRef('shop/pg')).to.deep.equal(ref);
    for (const bad of ['pg', 'shop/', '/pg', 'Shop/pg', 'a/b/c', 'shop pg'])
      expect(() => parseTargetRef(bad), bad).to.throw(UsageError, '--target must be <namespace>/<statefulset>');
  });

  it('refuses without ordinal.dev/chaos=allowed, in one line naming the exact kubectl command', () => {
    const cmd = 'kubectl -n shop label statefulset pg ordinal.dev/chaos=allowed';
    expect(optInCommand(ref)).to.equal(cmd);
    expect(refusalOf(ref, undefined)).to.equal(
      `refusing to disrupt StatefulSet shop/pg: it is not labelled ordinal.dev/chaos=allowed; to opt in, run: ${cmd}`,
    );
    expect(refusalOf(ref, { 'ordinal.dev/chaos': 'no' }))
      .to.include('(it has ordinal.dev/chaos=no)')
      .and.not.include('\n');
    expect(refusalOf(ref, { 'ordinal.dev/chaos': 'allowed', app: 'pg' })).to.equal(undefined);
  });

  it("a pod is the StatefulSet's own only with its controller ownerReference UID and its selector", () => {
    const set = {
      metadata: { name: 'pg', uid: 'u-1' },
      spec: {
        serviceName: 'hl',
        template: {},
        selector: { matchLabels: { app: 'pg' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['cache'] }] },
      },
    };
    const pod = (uid: string, labels: Record<string, string>, controller = true) => ({
      metadata: { labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'pg', uid, controller }] },
    });
    expect(notOwned(set, pod('u-1', { app: 'pg' }))).to.equal(undefined);
    expect(notOwned(set, pod('u-2', { app: 'pg' }))).to.include('not StatefulSet pg (uid u-1)');
    expect(notOwned(set, pod('u-1', { app: 'pg' }, false))).to.include('its controller is none');
    expect(notOwned(set, pod('u-1', { app: 'other' }))).to.equal("its labels do not match the StatefulSet's selector");
    expect(notOwned(set, pod('u-1', { app: 'pg', tier: 'cache' }))).to.equal("its labels do not match the StatefulSet's selector");
    expect(selectorMatches({}, { app: 'pg' }), 'an empty selector selects nothing here').to.equal(false);
    expect(
      selectorMatches(
        {
          matchExpressions: [
            { key: 'a', operator: 'Exists' },
            { key: 'b', operator: 'DoesNotExist' },
            { key: 'c', operator: 'In', values: ['1'] },
          ],
        },
        { a: '', c: '1' },
      ),
    ).to.equal(true);
  });
});

describe("--manifest: parsing and placing a user's file", () => {
  const fixture = readFileSync(path.join(FIXTURES, 'byo/httpd-two-claims.yaml'), 'utf8');
  const bad = (text: string, why: string | RegExp): void => {
    expect(() => parseManifest(text, 'app.yaml')).to.throw(UsageError, why);
  };

  it('takes every document, finds the one StatefulSet and its Service', () => {
    const m = parseManifest(fixture, 'app.yaml');
    expect(m.objects.map((o) => `${o.kind}/${o.metadata.name}`)).to.deep.equal(['ConfigMap/site', 'Service/site-hl', 'StatefulSet/site']);
    expect(m.service.metadata.name).to.equal('site-hl');
  });

  it('places every object in the run namespace with the run labels, pods and claims included', () => {
    const placed = placeManifest(parseManifest(fixture, 'app.yaml'), 'ordinal-r1', 'r1');
    for (const o of placed) {
      expect(o.metadata.namespace, o.kind).to.equal('ordinal-r1');
      expect(o.metadata.labels, o.kind).to.include({ 'ordinal.dev/run-id': 'r1', 'app.kubernetes.io/managed-by': 'ordinal' });
    }
    const s = placed.find((o) => o.kind === 'StatefulSet')?.spec as {
      template: { metadata: { labels: Record<string, string> } };
      volumeClaimTemplates: { metadata: { labels: Record<string, string> } }[];
      selector: unknown;
    };
    expect(s.template.metadata.labels).to.include({ app: 'site', 'ordinal.dev/run-id': 'r1' });
    expect(s.volumeClaimTemplates.map((t) => t.metadata.labels['ordinal.dev/run-id'])).to.deep.equal(['r1', 'r1']);
    expect(s.selector, "the selector is the user's, untouched").to.deep.equal({ matchLabels: { app: 'site' } });
  });

  it('says what is wrong with a bad file (exit 2)', () => {
    bad('', '--manifest app.yaml: no Kubernetes objects in the file');
    bad('# only a comment\n---\n', 'no Kubernetes objects');
    bad('kind: [unclosed', /document 1 is not valid YAML/);
    bad('- a\n- b\n', 'document 1 is not a Kubernetes object with apiVersion, kind and metadata.name');
    bad('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n', 'no StatefulSet (found ConfigMap c)');
    const set = (name: string) =>
      `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: ${name}}\nspec: {serviceName: hl, template: {spec: {containers: [{name: c}]}}}\n`;
    const svc = 'apiVersion: v1\nkind: Service\nmetadata: {name: hl}\n';
    bad(`${set('a')}---\n${set('b')}---\n${svc}`, '2 StatefulSets (a, b): a run takes exactly one');
    bad(set('a'), "no Service hl (the StatefulSet's spec.serviceName)");
    bad(`apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\n${set('a')}---\n${svc}`, 'document 1 is a Namespace');
    bad('apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: a}\nspec: {}\n', 'has no spec.serviceName');
    expect(parseManifest(`${set('a')}---\n${svc}`, 'ok.yaml').statefulSet.metadata.name).to.equal('a');
  });
});

describe('probes adapted to the image', () => {
  const facts = (o: Partial<ImageFacts>): ImageFacts => ({
    tools: new Set(['hostname', 'nslookup', 'sync', 'mv', 'cat', 'rm']),
    writable: true,
    resolvConf: [],
    ...o,
  });
  const w = () => workloadFromStatefulSet(sts(), opts());

  it("reads the cluster domain from the search line of the pod's namespace, never assumes cluster.local", () => {
    const conf = ['nameserver 10.96.0.10', 'search shop.svc.corp.example svc.corp.example corp.example', 'options ndots:5'];
    expect(clusterDomainFrom(conf, 'shop')).to.equal('corp.example');
    expect(clusterDomainFrom(conf, 'other')).to.equal(undefined);
    expect(clusterDomainFrom(['nameserver 1.1.1.1'], 'shop')).to.equal(undefined);
  });

  it('no shell: in-pod probes and the sentinel are skipped, with the reason', () => {
    const x = w();
    adaptToImage(x, facts({ noShell: 'container postgres has no sh (executable file not found)', tools: new Set(), writable: false }));
    expect(x.inPodSkip).to.match(/^container postgres has no sh/);
    expect(x.sentinelSkip).to.include('the sentinel needs a shell');
  });

  it('missing tools, a read-only directory, or nothing missing', () => {
    const a = w();
    adaptToImage(a, facts({ tools: new Set(['sync', 'mv', 'cat', 'rm']) }));
    expect(a.inPodSkip).to.equal('the image has no hostname, nslookup: the hostname and DNS probes inside the pods do not run');
    expect(a.sentinelSkip).to.equal(undefined);
    const b = w();
    adaptToImage(b, facts({ writable: false }));
    expect(b.sentinelSkip).to.equal('/var/lib/postgresql/data is not a writable directory in container postgres (read-only mount?)');
    const c = w();
    expect(adaptToImage(c, facts({}))).to.equal('probes: in-pod hostname and DNS, sentinel at /var/lib/postgresql/data/.ordinal-sentinel');
    expect([c.inPodSkip, c.sentinelSkip]).to.deep.equal([undefined, undefined]);
  });
});

describe('checks on a --target run', () => {
  const fixture = JSON.parse(readFileSync(path.join(FIXTURES, 'web-3x3-seed42.checkinput.json'), 'utf8')) as CheckInput;
  const status = (input: CheckInput, id: string) => {
    const c = runChecks(input).find((x) => x.id === id);
    return { status: c?.status, message: c?.message };
  };

  it('skips creation order, scale-down and topology for a target, each with its reason', () => {
    const input: CheckInput = { ...fixture, workload: { ...fixture.workload, kind: 'target' } };
    expect(status(input, 'STS-ORDER-CREATE')).to.deep.equal({
      status: 'skipped',
      message: "the --target StatefulSet's pods were created before the run, so their creation order was not observed",
    });
    expect(status(input, 'STS-ORDER-SCALEDOWN')).to.deep.equal({
      status: 'skipped',
      message: "a --target run never scales the StatefulSet (it is not the run's to change)",
    });
    expect(status(input, 'STS-TOPOLOGY-PRIMARY')).to.deep.equal({
      status: 'skipped',
      message: 'applies only to the primary-replica sample; this is a --target StatefulSet',
    });
    expect(status(fixture, 'STS-ORDER-CREATE').status, 'the same recording as a sample is judged').to.equal('passed');
  });

  it('a sentinel probe that could not run is skipped with why, never failed', () => {
    const why = 'container postgres has no sh (executable file not found): the sentinel needs a shell';
    const input: CheckInput = {
      ...fixture,
      baseline: { ...fixture.baseline, sentinels: [], skippedProbes: { sentinel: why } },
      after: { ...fixture.after, sentinels: [] },
    };
    expect(status(input, 'STS-DATA-SENTINEL')).to.deep.equal({ status: 'skipped', message: `no sentinel was written: ${why}` });
    const without: CheckInput = { ...input, baseline: { ...input.baseline, skippedProbes: {} } };
    expect(status(without, 'STS-DATA-SENTINEL').status, 'without the reason, missing sentinels still fail').to.equal('failed');
  });
});
