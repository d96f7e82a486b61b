// The command a run prints when it could not delete its namespace must work when pasted:
// same run, same cluster flags, shell-quoted.
import { expect } from 'chai';
import { cleanupCommand } from '../../lib/namespace.ts';

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
