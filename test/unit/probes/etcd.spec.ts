// The etcd membership probe and STS-ETCD-MEMBERSHIP on etcdctl's real output: the
// fixtures were recorded from a 3-member etcd 3.6.4 (the cluster's own build) on
// loopback, all healthy and then with etcd-2 stopped. The check cases move those members
// onto the workload's stable names, as the sample runs them.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { podFqdn } from '../../../lib/names.ts';
import type { ExecFn, ExecResult } from '../../../lib/probes/exec.ts';
import { parseEndpoints, parseMemberList, readMembership, settled, settleMembership } from '../../../lib/probes/etcd.ts';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IService } from 'kubernetes-models/v1/Service';
import { parseRunArgs } from '../../../lib/cli/args.ts';
import { replayOf } from '../helpers/plan.ts';
import { ObservationError, UsageError } from '../../../lib/errors.ts';
import { ETCD_IMAGE, etcdWorkload } from '../../../lib/workloads/etcd.ts';
import { DEFAULT_STS_OPTIONS } from '../../../lib/workloads/sts-options.ts';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { MembershipSnapshot } from '../../../lib/probes/records.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { buildWebInput } from '../helpers/timeline-builder.ts';
import { mutate } from '../helpers/timeline-edit.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/etcdctl/${name}`, import.meta.url), 'utf8');
const ID = 'STS-ETCD-MEMBERSHIP';
// 15101859335780327642 > 2^53: a JS number would round it.
const ETCD0 = '15101859335780327642';

function recorded(health: string, status: string): MembershipSnapshot {
  return {
    askedPod: 'etcd-0',
    members: parseMemberList(fixture('member-list.json')),
    endpoints: parseEndpoints(fixture(health), fixture(status)),
  };
}

/** The loopback members as the workload's pods: etcd-N at 127.0.0.1:2379N/2380N becomes <sts>-N at its stable name. */
function onWorkload(input: CheckInput, m: MembershipSnapshot): MembershipSnapshot {
  const w = input.workload;
  const url = (u: string): string =>
    u.replace(
      /^http:\/\/127\.0\.0\.1:(2379|2380)(\d)$/,
      (_, port: string, n: string) => `http://${podFqdn(w, `${w.statefulSet}-${n}`)}:${port === '2379' ? 2379 : 2380}`,
    );
  return {
    ...m,
    members: m.members.map((x) => ({
      ...x,
      name: x.name.replace('etcd', w.statefulSet),
      peerURLs: x.peerURLs.map(url),
      clientURLs: x.clientURLs.map(url),
    })),
    endpoints: m.endpoints.map((e) => ({ ...e, endpoint: url(e.endpoint) })),
  };
}

const base = buildWebInput();
const good = mutate(base, (d) => {
  d.baseline.membership = onWorkload(base, recorded('health.json', 'status.json'));
  d.after.membership = onWorkload(base, recorded('health.json', 'status.json'));
});

describe('etcd membership probe (etcdctl output)', () => {
  it('keeps 64-bit member IDs exact and merges health with status per endpoint', () => {
    const m = recorded('health.json', 'status.json');
    expect(m.members.map((x) => x.id)).to.include(ETCD0);
    expect(m.members.find((x) => x.id === ETCD0)?.name).to.equal('etcd-0');
    expect(m.endpoints).to.have.length(3);
    expect(new Set(m.endpoints.map((e) => e.leader)).size).to.equal(1);
    expect(settled(m)).to.equal(true);
  });

  it('a stopped member is unhealthy, with no status, and the cluster is not settled', () => {
    const m = recorded('health-one-down.json', 'status-one-down.json');
    const down = m.endpoints.find((e) => e.endpoint === 'http://127.0.0.1:23792');
    expect(down).to.include({ healthy: false, error: 'context deadline exceeded' });
    expect(down?.leader).to.equal(undefined);
    expect(settled(m)).to.equal(false);
  });

  it('a member listed before its client URLs are published is not settled, though its endpoint answered healthy a moment later', () => {
    // Seen on the cluster (loss soak, seed 4003): the baseline's member list had etcd-2 with
    // no client URL, while endpoint health --cluster had already reached it.
    const m = recorded('health.json', 'status.json');
    const early = { ...m, members: m.members.map((x) => (x.name === 'etcd-2' ? { ...x, clientURLs: [] } : x)) };
    expect(settled(m)).to.equal(true);
    expect(settled(early)).to.equal(false);
  });

  const answer = (stdout: string, exitCode = 0): ExecResult => ({ stdout, stderr: '', exitCode });
  const scripted =
    (broken: Set<string>): ExecFn =>
    async (pod, _c, cmd) => {
      if (broken.has(pod)) throw new ObservationError(`exec in pod ${pod} failed: connection refused`);
      if (cmd.includes('member')) return answer(fixture('member-list.json'));
      return cmd.includes('health') ? answer(fixture('health-one-down.json'), 1) : answer(fixture('status-one-down.json'), 1);
    };

  it('asks the next pod when one cannot be exec-ed, and keeps unhealthy answers (non-zero exits) as answers', async () => {
    const m = await readMembership(scripted(new Set(['etcd-0'])), ['etcd-0', 'etcd-1'], 'etcd', 2379);
    expect(m.askedPod).to.equal('etcd-1');
    expect(m.unobserved).to.equal(undefined);
    expect(m.endpoints.filter((e) => !e.healthy)).to.have.length(1);
  });

  it('is unobserved, naming each failure, when no pod answers', async () => {
    const m = await readMembership(scripted(new Set(['etcd-0', 'etcd-1'])), ['etcd-0', 'etcd-1'], 'etcd', 2379);
    expect(m.unobserved).to.equal(true);
    expect(m.error).to.include('etcd-0: exec in pod etcd-0 failed').and.include('etcd-1:');
  });

  it('settles: repeats until healthy under one leader, or gives the last observation when the budget runs out', async () => {
    let clock = 0;
    const seq = [recorded('health-one-down.json', 'status-one-down.json'), recorded('health.json', 'status.json')];
    let i = 0;
    const pause = async (ms: number): Promise<void> => {
      clock += ms;
    };
    const ok = await settleMembership(
      async () => seq[Math.min(i++, 1)]!,
      10_000,
      () => clock,
      pause,
    );
    expect(ok.attempts).to.equal(2);
    expect(settled(ok)).to.equal(true);
    const never = await settleMembership(
      async () => seq[0]!,
      3_000,
      () => clock,
      pause,
    );
    expect(never.attempts).to.equal(4);
    expect(settled(never)).to.equal(false);
  });
});

describe(ID, () => {
  it('is skipped, with the reason, for workloads other than etcd', () => {
    const r = resultOf(base, ID);
    expect(r.status).to.equal('skipped');
    expect(r.message).to.include('only to the etcd sample');
  });

  it('passes with the same members, IDs and stable peer URLs, all healthy under one leader', () => {
    const r = resultOf(good, ID);
    expect(r.status, r.message).to.equal('passed');
    expect(r.message).to.include(`web-0=${ETCD0}`);
  });

  it('fails naming the pod whose member ID changed', () => {
    const bad = mutate(good, (d) => {
      const m = d.after.membership!.members.find((x) => x.name === 'web-1')!;
      m.id = '42';
    });
    expectFailure(resultOf(bad, ID), 'after chaos: pod web-1 is etcd member 42, not 8645782499530242234');
  });

  it('fails naming the pod that is no longer a member', () => {
    const bad = mutate(good, (d) => {
      d.after.membership!.members = d.after.membership!.members.filter((x) => x.name !== 'web-2');
    });
    const r = resultOf(bad, ID);
    expectFailure(r, 'after chaos: pod web-2 is not an etcd member');
    expect(r.evidence[0]).to.include({ subject: 'pod web-2' });
  });

  it('fails naming the unhealthy member (recorded with etcd-2 stopped)', () => {
    const bad = mutate(good, (d) => {
      d.after.membership = onWorkload(base, recorded('health-one-down.json', 'status-one-down.json'));
    });
    const r = resultOf(bad, ID);
    expectFailure(r, 'after chaos: etcd member web-2 is not healthy (context deadline exceeded)');
    expect(r.evidence[0]).to.include({ subject: 'pod web-2' });
  });

  it('fails when a member advertises a peer URL that is not its stable name', () => {
    const bad = mutate(good, (d) => {
      d.after.membership!.members.find((x) => x.name === 'web-0')!.peerURLs = ['http://10.244.0.7:2380'];
    });
    expectFailure(resultOf(bad, ID), "pod web-0's peer URLs are not its stable name", '10.244.0.7');
  });

  it('is an error, not a failure, when no member could be asked', () => {
    const bad = mutate(good, (d) => {
      d.after.membership = { members: [], endpoints: [], error: 'no member answered', unobserved: true };
    });
    const r = resultOf(bad, ID);
    expect(r.status).to.equal('error');
    expect(r.message).to.include('no member answered');
  });
});

describe('etcd sample workload', () => {
  const opts = { namespace: 'ordinal-x', runId: 'x', replicas: 3, image: ETCD_IMAGE, claimSize: '64Mi' };

  it('builds the initial cluster from the stable names, exposes client and peer ports on a Service that publishes not-ready addresses', () => {
    const w = etcdWorkload(opts);
    const svc = w.objects.find((o) => o.kind === 'Service') as IService;
    expect(svc.spec?.publishNotReadyAddresses).to.equal(true);
    // …and the DNS checks know it: not-ready members are listed too.
    expect(w.info.publishNotReadyAddresses).to.equal(true);
    expect(svc.spec?.ports?.map((p) => `${p.name}:${p.port}`)).to.deep.equal(['client:2379', 'peer:2380']);
    const sts = w.objects.find((o) => o.kind === 'StatefulSet') as IStatefulSet;
    const script = sts.spec?.template.spec?.containers[0]?.command?.join(' ') ?? '';
    expect(script).to.include(
      '--initial-cluster etcd-0=http://etcd-0.etcd.ordinal-x.svc.cluster.local:2380,etcd-1=http://etcd-1.etcd.ordinal-x.svc.cluster.local:2380,etcd-2=',
    );
    expect(script).to.include(`--data-dir ${w.etcd?.dataDir}`).and.include('exec etcd');
    expect(w.container).to.equal('etcd');
    // The sentinel goes to the claim's mount, beside etcd's data directory, never inside it.
    expect(w.etcd?.dataDir.startsWith(`${w.dataPath}/`)).to.equal(true);
  });

  it('follows --start-ordinal in the initial cluster', () => {
    const w = etcdWorkload({ ...opts, sts: { ...DEFAULT_STS_OPTIONS, startOrdinal: 5 } });
    const sts = w.objects.find((o) => o.kind === 'StatefulSet') as IStatefulSet;
    expect(sts.spec?.template.spec?.containers[0]?.command?.join(' '))
      .to.include('etcd-5=http://etcd-5.')
      .and.include('etcd-7=')
      .and.not.include('etcd-0=');
  });

  it('runs the image the local cluster builds: the etcd version cluster/go/k8s/go.mod pins', () => {
    const gomod = readFileSync(new URL('../../../cluster/go/k8s/go.mod', import.meta.url), 'utf8');
    const v = /go\.etcd\.io\/etcd\/server\/v3 v(\S+)/.exec(gomod)?.[1];
    expect(ETCD_IMAGE).to.equal(`registry.k8s.io/etcd:${v}-0`);
  });

  it('--workload etcd defaults to that image, keeps an explicit --image, and refuses even member counts (exit 2)', () => {
    expect(parseRunArgs(['--workload', 'etcd']).image).to.equal(ETCD_IMAGE);
    expect(replayOf(parseRunArgs(['--workload', 'etcd']))).to.include(`--image ${ETCD_IMAGE}`);
    expect(parseRunArgs(['--workload', 'etcd', '--image', 'mirror.local/etcd:3.6.4-0']).image).to.equal('mirror.local/etcd:3.6.4-0');
    expect(parseRunArgs(['--workload', 'etcd', '--replicas', '5']).replicas).to.equal(5);
    expect(() => parseRunArgs(['--workload', 'etcd', '--replicas', '2'])).to.throw(
      UsageError,
      /--replicas 2: the etcd sample takes 1, 3, 5, 7 members/,
    );
    expect(parseRunArgs(['--replicas', '2']).replicas).to.equal(2);
  });
});
