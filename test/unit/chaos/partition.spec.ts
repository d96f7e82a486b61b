import { expect } from 'chai';
import { planRounds } from '../../../lib/chaos/plan.ts';
import { CONNECT_TIMEOUT_S, CONTROL, cutProblem, openProblem, parseAttempts, probeScript } from '../../../lib/chaos/partition-confirm.ts';

const peers = ['10.244.1.3', '10.244.2.5'];
const control = '10.0.0.1';
const slow = CONNECT_TIMEOUT_S * 1000 + 300;
const out = (lines: string[]): string => `${lines.join('\n')}\n`;

describe('partition confirmation', () => {
  it('probes each address in parallel with nc and a connect timeout, the control through the pod environment', () => {
    const s = probeScript([{ ip: '10.244.1.3', port: '2379' }, CONTROL]);
    expect(s).to.include(`nc -w ${CONNECT_TIMEOUT_S} 10.244.1.3 2379`);
    expect(s).to.include('$KUBERNETES_SERVICE_HOST $KUBERNETES_SERVICE_PORT');
    expect(s.trim().endsWith('wait')).to.equal(true);
  });

  it('reads one attempt per line', () => {
    expect(parseAttempts(out(['10.244.1.3 1 nc: timed out', '10.0.0.1 0 ']))).to.deep.equal([
      { ip: '10.244.1.3', rc: 1, message: 'nc: timed out' },
      { ip: '10.0.0.1', rc: 0, message: '' },
    ]);
  });

  it('confirms a cut only when every peer timed out and the control connected', () => {
    const good = parseAttempts(out(['10.244.1.3 1 nc: timed out', '10.244.2.5 1', `${control} 0`]));
    expect(cutProblem(good, peers, 'api', slow)).to.equal(undefined);
  });

  it('does not confirm a cut when a peer connects, answers with a refusal, a peer is missing, or it all ended too fast', () => {
    const connected = parseAttempts(out(['10.244.1.3 1', '10.244.2.5 0', `${control} 0`]));
    expect(cutProblem(connected, peers, 'api', slow)).to.match(/10.244.2.5 still accepted/);
    const refused = parseAttempts(
      out(["10.244.1.3 1 nc: can't connect to remote host (10.244.1.3): Connection refused", '10.244.2.5 1', `${control} 0`]),
    );
    expect(cutProblem(refused, peers, 'api', slow)).to.match(/not a timeout/);
    const missing = parseAttempts(out(['10.244.1.3 1', `${control} 0`]));
    expect(cutProblem(missing, peers, 'api', slow)).to.match(/no attempt to peer 10.244.2.5/);
    const fast = parseAttempts(out(['10.244.1.3 1', '10.244.2.5 1', `${control} 0`]));
    expect(cutProblem(fast, peers, 'api', 150)).to.match(/before the 2s connect timeout/);
  });

  it('does not confirm a partition when the control fails too: the pod is cut from everything', () => {
    const all = parseAttempts(out(['10.244.1.3 1', '10.244.2.5 1', `${control} 1 nc: timed out`]));
    expect(cutProblem(all, peers, 'api', slow)).to.match(/did not connect either/);
    expect(cutProblem(parseAttempts(out(['10.244.1.3 1', '10.244.2.5 1'])), peers, 'api', slow)).to.match(/uncut control/);
  });

  it('confirms a heal only when every peer connects', () => {
    expect(openProblem(parseAttempts(out(['10.244.1.3 0', '10.244.2.5 0'])), peers)).to.equal(undefined);
    expect(openProblem(parseAttempts(out(['10.244.1.3 0', '10.244.2.5 1 nc: timed out'])), peers)).to.match(/10.244.2.5: nc: timed out/);
    expect(openProblem(parseAttempts(out(['10.244.1.3 0'])), peers)).to.match(/10.244.2.5: no attempt/);
  });

  it('is planned from the seed like any disruption: a hold of 5 to 15 s per partitioned pod, the same for the same seed', () => {
    const plan = (seed: number) => planRounds({ seed, statefulSet: 'etcd', replicas: 3, rounds: 4, actions: ['partition'] });
    for (const r of plan(7))
      for (const k of r.kills) {
        expect(k.action).to.equal('partition');
        expect(k.params?.hold).to.be.within(5, 15);
      }
    expect(plan(7)).to.deep.equal(plan(7));
  });
});
