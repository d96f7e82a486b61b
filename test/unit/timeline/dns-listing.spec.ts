// What DNS may publish at a moment (lib/timeline/dns-listing.ts), and STS-DNS-A judged by
// it on recorded timelines: one TTL of tolerance after a change, publishNotReadyAddresses,
// and an API server outage after which CoreDNS's own watch must re-list before it can know.
// The outage cannot be planted here on the shared cluster (restarting the API server
// disturbs every other run), so it is a recorded timeline with a watch-gap marker.
import { expect } from 'chai';
import { listingOf } from '../../../lib/checks/dns.ts';
import { lastApiReturn } from '../../../lib/run/snapshot.ts';
import { DnsListing, publishedIp } from '../../../lib/timeline/dns-listing.ts';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { PodState, TimelineEntry } from '../../../lib/timeline/entries.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { AFTER_SETTLED_MS, buildWebInput, fqdnOf } from '../helpers/timeline-builder.ts';
import { mutate, podIn, withPodStates } from '../helpers/timeline-edit.ts';

const good = buildWebInput();
const T = good.after.t + AFTER_SETTLED_MS + 100;
const state = (p: Partial<PodState>): PodState => ({ uid: 'u', phase: 'Running', ready: true, ip: '10.0.0.1', claims: {}, ...p });

describe('DnsListing: what DNS may publish at a moment', () => {
  it('publishes a Ready pod; a not-ready or terminating one only with publishNotReadyAddresses; never one without an IP or finished', () => {
    expect(publishedIp(state({}), false)).to.equal('10.0.0.1');
    expect(publishedIp(state({ ready: false }), false)).to.equal(undefined);
    expect(publishedIp(state({ ready: false }), true)).to.equal('10.0.0.1');
    expect(publishedIp(state({ deletionTimestamp: '2026-01-01T00:00:00Z' }), false)).to.equal(undefined);
    expect(publishedIp(state({ deletionTimestamp: '2026-01-01T00:00:00Z' }), true)).to.equal('10.0.0.1');
    expect(publishedIp(state({ ip: undefined }), true)).to.equal(undefined);
    expect(publishedIp(state({ phase: 'Failed' }), true)).to.equal(undefined);
  });

  it('requires a pod published throughout the TTL window and allows one published at some moment of it', () => {
    const blink = withPodStates(good, [
      [T - 3000, 'web-1', { ready: false }],
      [T - 1500, 'web-1', { ready: true }],
    ]);
    const l = listingOf(blink);
    const at = l.srvAt(T, 5);
    expect(at.allowed).to.deep.equal(['web-0', 'web-1', 'web-2']);
    expect(at.required).to.deep.equal(['web-0', 'web-2']);
    // A blink more than one TTL + 1 s before the answer is outside its window: web-1 is required.
    const earlier = withPodStates(good, [
      [T - 8000, 'web-1', { ready: false }],
      [T - 7000, 'web-1', { ready: true }],
    ]);
    expect(listingOf(earlier).srvAt(T, 5).required).to.deep.equal(['web-0', 'web-1', 'web-2']);
    expect(l.at('web-1', T, 5)).to.deep.include({ unlisted: true, ips: [podIn(good.after, 'web-1').ip] });
  });
});

/** The good run with web-0 recreated (new IP) during an API server outage from `from` to `to`, as the re-list records it. */
function outage(input: CheckInput, from: number, to: number): { input: CheckInput; oldIp: string; newIp: string } {
  const oldIp = podIn(input.after, 'web-0').ip;
  const newIp = '10.244.7.7';
  // The after snapshot comes after the outage here, so the scale-down and delete that follow it are left out.
  const cut = mutate(input, (d) => {
    d.timeline = d.timeline.filter((e) => e.t <= from);
  });
  const changed = withPodStates(cut, [[to, 'web-0', { uid: 'web-0-uid-9', ip: newIp }]]);
  const gap: TimelineEntry = {
    seq: 0,
    t: to,
    wall: 0,
    type: 'MARKER',
    marker: 'watch-gap',
    kind: 'Pod',
    from,
    to,
    reason: 'connect ECONNREFUSED',
  };
  const out = mutate(changed, (d) => {
    d.timeline.push(gap);
    d.timeline.sort((a, b) => a.t - b.t);
    d.timeline.forEach((e, i) => {
      e.seq = i + 1;
    });
    podIn(d.after, 'web-0').ip = newIp;
    d.limits = { recoveryTimeoutMs: 300_000, dnsBudgetMs: 60_000 };
  });
  return { input: out, oldIp, newIp };
}

describe('STS-DNS-A after an API server outage (recorded timeline)', () => {
  const ID = 'STS-DNS-A';
  const from = T;
  const to = T + 75_000;
  const answered = (input: CheckInput, t: number, ip: string): CheckInput =>
    mutate(input, (d) => {
      const l = d.after.dnsA.find((x) => x.pod === 'web-0');
      if (l) l.answers = [{ t, rcode: 'NOERROR', addresses: [ip], ttl: 5 }];
      d.after.t = t;
    });

  it("the old IP while CoreDNS's watch may still be re-listing (within the DNS budget after the API came back) is no broken guarantee", () => {
    const o = outage(good, from, to);
    const r = resultOf(answered(o.input, to + 20_000, o.oldIp), ID);
    expect(r.status, r.message).to.equal('passed');
    const l = new DnsListing(o.input.timeline, { statefulSet: 'web', budgetMs: 60_000 });
    expect(l.windowStart(to + 20_000, 5).why).to.include('API server was unreachable');
  });

  it("the probe's budget counts from the API server's last return (the latest pod watch gap)", () => {
    const o = outage(good, from, to);
    expect(lastApiReturn(o.input.timeline)).to.equal(to);
    expect(lastApiReturn(good.timeline)).to.equal(Number.NEGATIVE_INFINITY);
  });

  it('the old IP once the budget after the API came back has passed still fails, naming the pod and the window', () => {
    const o = outage(good, from, to);
    const r = resultOf(answered(o.input, to + 61_000, o.oldIp), ID);
    expectFailure(r, fqdnOf('web-0'), `resolved to NOERROR [${o.oldIp}]`, `expected NOERROR [${o.newIp}]`);
    expect(r.evidence[0]?.note).to.include('one record TTL');
  });

  it('the same stale answer with no outage in the timeline fails at once (past one TTL)', () => {
    const o = outage(good, from, to);
    const noGap = mutate(o.input, (d) => {
      d.timeline = d.timeline.filter((e) => !(e.type === 'MARKER' && e.marker === 'watch-gap'));
    });
    expectFailure(resultOf(answered(noGap, to + 20_000, o.oldIp), ID), fqdnOf('web-0'), o.oldIp);
  });

  it('NXDOMAIN for a pod not ready throughout the window passes (DNS publishes only ready pods), and fails once it is ready', () => {
    const notReady = withPodStates(good, [[T - 7000, 'web-2', { ready: false }]]);
    const nx = (input: CheckInput): CheckInput =>
      mutate(input, (d) => {
        const l = d.after.dnsA.find((x) => x.pod === 'web-2');
        l?.answers.push({ t: T, rcode: 'NXDOMAIN', addresses: [] });
      });
    expect(resultOf(nx(notReady), ID).status).to.equal('passed');
    expectFailure(resultOf(nx(good), ID), fqdnOf('web-2'), 'NXDOMAIN');
  });
});
