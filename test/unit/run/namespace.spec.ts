// The command a run prints when it could not delete its namespace must work when pasted:
// same run, same cluster flags, shell-quoted.
import { expect } from 'chai';
import { cleanupCommand, nameOrLabelProblem, recordProblem } from '../../../lib/run/namespace.ts';

describe('cleanupCommand', () => {
  it('names the run and repeats --kubeconfig/--context only when given', () => {
    expect(cleanupCommand('20261128-151420-191d', {})).to.equal('ordinal cleanup --run-id 20261128-151420-191d --yes');
    expect(cleanupCommand('r1', { kubeconfig: '/var/lib/ordinal-cluster/kubeconfig', context: 'ordinal-local' })).to.equal(
      'ordinal cleanup --run-id r1 --yes --kubeconfig /var/lib/ordinal-cluster/kubeconfig --context ordinal-local',
    );
  });

  it('quotes what a shell would split or expand', () => {
    expect(cleanupCommand('r1', { kubeconfig: "/home/me/my kube's config" })).to.equal(
      "ordinal cleanup --run-id r1 --yes --kubeconfig '/home/me/my kube'\\''s config'",
    );
  });
});

// Labels can be copied onto any namespace; only the name form and the creation record,
// which holds the UID the API server gave the namespace, tell Ordinal's own apart.
describe('run namespace ownership', () => {
  const runId = '20261206-113000-ab12';
  const ours = {
    metadata: {
      name: `ordinal-${runId}`,
      uid: 'uid-1',
      labels: { 'app.kubernetes.io/managed-by': 'ordinal', 'ordinal.dev/run-id': runId },
    },
  };

  it('accepts a namespace named ordinal-<run-id>, labelled, whose record holds its own UID', () => {
    expect(nameOrLabelProblem(ours, runId)).to.equal(undefined);
    expect(recordProblem(ours, 'uid-1')).to.equal(undefined);
  });

  it('refuses payments-prod carrying both labels', () => {
    const prod = { metadata: { ...ours.metadata, name: 'payments-prod' } };
    expect(nameOrLabelProblem(prod, runId)).to.equal(`its name is not ordinal-${runId}`);
  });

  it('refuses a run-shaped name whose labels name another run or no manager', () => {
    expect(nameOrLabelProblem(ours, '20261206-113000-ffff')).to.equal('its name is not ordinal-20261206-113000-ffff');
    const other = { metadata: { ...ours.metadata, labels: { 'ordinal.dev/run-id': runId } } };
    expect(nameOrLabelProblem(other, runId)).to.include('managed-by=ordinal');
    expect(nameOrLabelProblem(ours, '')).to.include('no ordinal.dev/run-id');
  });

  it('refuses a namespace without a creation record, or with one copied from another namespace', () => {
    expect(recordProblem(ours, undefined)).to.include('no creation record');
    expect(recordProblem(ours, 'uid-of-another-namespace')).to.include('uid-of-another-namespace').and.include('uid-1');
    expect(recordProblem(ours, '')).to.include('(none)');
    expect(recordProblem({ metadata: { name: ours.metadata.name } }, '')).to.include('not created by Ordinal');
  });
});
