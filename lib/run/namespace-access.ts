// Read access to the run namespace for a least-privilege identity. examples/rbac.yaml
// does not grant pod, claim and event reads cluster-wide (pod specs carry env values
// of every workload on the cluster); it lets the harness ServiceAccount bind the
// ClusterRole ordinal-run-reader to itself, inside namespaces it created. An identity
// that can already read there (an admin) gets no RoleBinding.
import * as k8s from '@kubernetes/client-node';
import type { Cluster } from '../cluster/cluster.ts';
import { ClusterError, describeError } from '../errors.ts';
import { MANAGED_BY } from '../workloads/common.ts';
import { TIMEOUTS } from '../timeouts.ts';

export const RUN_READER = 'ordinal-run-reader';
const SERVICE_ACCOUNT = /^system:serviceaccount:([^:]+):([^:]+)$/;

async function canListPods(authz: k8s.AuthorizationV1Api, namespace: string): Promise<boolean> {
  const review = await authz.createSelfSubjectAccessReview({
    body: { spec: { resourceAttributes: { verb: 'watch', resource: 'pods', namespace } } },
  });
  return review.status?.allowed === true;
}

/** Makes sure this identity can list and watch pods, claims and events in `namespace` (a run namespace it just created). */
export async function grantRunReads(cluster: Cluster, namespace: string, log: (line: string) => void): Promise<void> {
  const authz = cluster.kc.makeApiClient(k8s.AuthorizationV1Api);
  try {
    if (await canListPods(authz, namespace)) return;
    const self = await cluster.kc.makeApiClient(k8s.AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    const user = self.status?.userInfo?.username ?? '';
    const sa = SERVICE_ACCOUNT.exec(user);
    // Not a ServiceAccount: nothing to bind; the recorder's first list says what is missing.
    if (!sa) return;
    await cluster.kc.makeApiClient(k8s.RbacAuthorizationV1Api).createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: RUN_READER, labels: { ...MANAGED_BY } },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: RUN_READER },
        subjects: [{ kind: 'ServiceAccount', namespace: sa[1] ?? '', name: sa[2] ?? '' }],
      },
    });
    log(`bound ClusterRole ${RUN_READER} to ${user} in namespace ${namespace}`);
    const deadline = Date.now() + TIMEOUTS.rbacPropagation;
    while (!(await canListPods(authz, namespace))) {
      if (Date.now() > deadline)
        throw new Error(`still not allowed to watch pods ${TIMEOUTS.rbacPropagation / 1000}s after the RoleBinding`);
      await new Promise((r) => setTimeout(r, TIMEOUTS.rbacPropagationPoll));
    }
  } catch (err) {
    throw new ClusterError(
      `cannot get read access to namespace ${namespace} (RoleBinding ${RUN_READER}, examples/rbac.yaml): ${describeError(err)}`,
    );
  }
}
