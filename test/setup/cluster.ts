// Set-up for the test groups that need a cluster (integration, faults), loaded with
// mocha's --require before their spec files: with KUBECONFIG set, the tests use that
// cluster; without it, this brings up (or reuses) the built-in local cluster and
// exports its kubeconfig, so `npm test` does its own set-up on a fresh machine. A
// user's ~/.kube/config is deliberately not used: the tests create and delete
// namespaces and import images, which belongs on the local test cluster only.
// Unit tests never load this (test:unit does not --require it).
import { ensureLocalCluster } from '../../lib/cluster/cluster.ts';
import { describeError } from '../../lib/errors.ts';
import { canStartLocalCluster } from '../../lib/cluster/local.ts';

const say = (line: string): void => void process.stdout.write(`[test setup] ${line}\n`);

if (process.env.KUBECONFIG) {
  say(`integration tests use the cluster in KUBECONFIG=${process.env.KUBECONFIG}`);
} else if (!canStartLocalCluster()) {
  // Not root (or no cluster/scripts): the specs fail with "no cluster", as before.
  say(
    'KUBECONFIG is not set and this machine cannot start the built-in local cluster (it needs Linux and root): the integration tests will fail; set KUBECONFIG',
  );
} else {
  try {
    const kubeconfig = await ensureLocalCluster({ log: say });
    process.env.KUBECONFIG = kubeconfig;
    say(`integration tests use the built-in local cluster: KUBECONFIG=${kubeconfig}`);
  } catch (err) {
    // Not thrown: the unit and browser tests in the same `npm test` still run; every
    // integration spec then fails on the missing KUBECONFIG, and this line says why.
    process.env.ORDINAL_TEST_CLUSTER_ERROR = describeError(err);
    process.stderr.write(`[test setup] error: could not bring up the local cluster: ${describeError(err)}\n`);
  }
}
