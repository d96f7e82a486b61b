// The heartbeat probes STS-AT-MOST-ONE's data judgment rests on: the script every sample
// workload runs, the heartbeat file's parser, and the NTP-style kernel clock reading.
import { expect } from 'chai';
import { parseClock } from '../../../lib/probes/clock.ts';
import { parseHeartbeats } from '../../../lib/probes/heartbeat.ts';
import { HEARTBEAT_FILE, HEARTBEAT_PERIOD_S, heartbeatScript } from '../../../lib/workloads/heartbeat.ts';
import { WORKLOAD_KINDS, buildWorkload } from '../../../lib/workloads/index.ts';
import { BOOT_ID } from '../helpers/timeline-builder.ts';

describe('STS-AT-MOST-ONE: heartbeat probes', () => {
  it('beats at least every 100 ms, with a sleep that cannot spin', () => {
    expect(HEARTBEAT_PERIOD_S).to.be.at.most(0.1);
    const script = heartbeatScript('/data');
    expect(script).to.include(`sleep ${HEARTBEAT_PERIOD_S} 2>/dev/null || usleep 100000 2>/dev/null || sleep 1`);
  });

  it('reads a kernel clock NTP-style: offset from the bracket midpoint, half the bracket as uncertainty', () => {
    const r = parseClock(
      'boot-9\n1700000000250000000\n',
      'web-0',
      'n1',
      1_700_000_000_100,
      1_700_000_000_300,
      (w) => w - 1_700_000_000_000,
    );
    expect(r).to.deep.equal({ reading: { pod: 'web-0', node: 'n1', bootId: 'boot-9', offsetMs: 50, uncertaintyMs: 100, t: 200 } });
    const coarse = parseClock('boot-9\n1700000000%N\n', 'web-0', 'n1', 1_700_000_000_100, 1_700_000_000_300, (w) => w);
    expect(coarse).to.have.nested.property('reading.uncertaintyMs', 600);
    expect(parseClock('oops', 'web-0', 'n1', 0, 1, (w) => w))
      .to.have.property('error')
      .that.includes('web-0');
  });
});

describe('STS-AT-MOST-ONE: heartbeat files', () => {
  it('every sample workload writes heartbeats with its pod UID onto its claim', () => {
    for (const kind of WORKLOAD_KINDS) {
      const w = buildWorkload(kind, { namespace: 'ns', runId: 'r', replicas: 1, image: 'busybox', claimSize: '1Mi' });
      expect(w.heartbeatPath).to.equal(`${w.dataPath}/${HEARTBEAT_FILE}`);
      const sts = w.objects[1];
      if (sts?.kind !== 'StatefulSet') throw new Error('no StatefulSet');
      const c = sts.spec?.template.spec?.containers[0];
      expect(c?.command?.join(' ')).to.include(`>> ${w.heartbeatPath}`);
      expect(c?.env?.[0]).to.deep.equal({ name: 'POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } });
    }
  });

  it('parses heartbeat lines: writers per UID and container start, ns or second wall clocks, torn lines counted', () => {
    const text = [
      `hb uid-a 10.00 ${BOOT_ID} 10.00 1700000000%N`,
      `hb uid-a 10.00 ${BOOT_ID} 10.50 1700000001%N`,
      `hb uid-a 12.00 ${BOOT_ID} 12.00 1700000002500000000`,
      `hb uid-b 11.00 ${BOOT_ID} 11.25 1700000001250000000`,
      'hb uid-b 11.0',
      // Torn by a full disk, the next beat appended to it: never a writer whose boot id is a UID.
      `hb uid-b 11.00hb uid-b 11.00 ${BOOT_ID} 11.50 1700000001500000000`,
      `hb uid-b 11.00 hb uid-b 11.00 ${BOOT_ID} 11.75 1700000001750000000`,
      `hb uid-b 11.00 ${BOOT_ID} 11.8hb uid-b 11.00 ${BOOT_ID} 11.85 1700000001850000000`,
      '',
    ].join('\n');
    const { writers, badLines } = parseHeartbeats(text);
    expect(badLines).to.equal(4);
    expect(writers).to.deep.equal([
      {
        uid: 'uid-a',
        start: '10.00',
        bootId: BOOT_ID,
        beats: 2,
        firstUptimeMs: 10_000,
        lastUptimeMs: 10_500,
        firstWallMs: 1_700_000_000_000,
        lastWallMs: 1_700_000_001_000,
        coarseWall: true,
      },
      {
        uid: 'uid-a',
        start: '12.00',
        bootId: BOOT_ID,
        beats: 1,
        firstUptimeMs: 12_000,
        lastUptimeMs: 12_000,
        firstWallMs: 1_700_000_002_500,
        lastWallMs: 1_700_000_002_500,
      },
      {
        uid: 'uid-b',
        start: '11.00',
        bootId: BOOT_ID,
        beats: 1,
        firstUptimeMs: 11_250,
        lastUptimeMs: 11_250,
        firstWallMs: 1_700_000_001_250,
        lastWallMs: 1_700_000_001_250,
      },
    ]);
  });
});
