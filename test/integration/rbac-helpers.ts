// Shared by test/integration/rbac.spec.ts and rbac-escapes.ts: a kubeconfig holding a
// short-lived token of examples/rbac.yaml's ServiceAccount, and the status of a call
// that is expected to be refused.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import type { Cluster } from '../../lib/cluster/cluster.ts';
import { describeError, httpStatus } from '../../lib/errors.ts';
import { tempDir, type CliResult } from './helpers.ts';

export const SA = { name: 'ordinal', namespace: 'ordinal-system' };
/** The run-namespaces-only policy's message (examples/rbac.yaml). */
export const POLICY_MESSAGE = 'may only write in its run namespaces';
/** The namespaces policy's message. */
export const NAMESPACE_MESSAGE = 'may create and delete only run namespaces';
export const LABELS_MESSAGE = "carries exactly Ordinal's labels";

export const show = (r: CliResult): string =>
  `exit ${r.code} after ${(r.ms / 1000).toFixed(1)}s\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/** Status of a call that is expected to be refused; 200 if it went through. */
export async function statusOf(call: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await call;
    return { code: 200, message: '' };
  } catch (err) {
    return { code: httpStatus(err) ?? -1, message: describeError(err) };
  }
}

/** Mints a one-hour token for the ServiceAccount and writes a kubeconfig with only that. */
export async function serviceAccountKubeconfig(admin: Cluster): Promise<string> {
  const token = await admin.core.createNamespacedServiceAccountToken({ ...SA, body: { spec: { expirationSeconds: 3600 } } });
  const adminCluster = admin.kc.getCurrentCluster();
  if (!adminCluster) throw new Error('the admin kubeconfig has no current cluster');
  const ca = adminCluster.caData ?? (adminCluster.caFile ? readFileSync(adminCluster.caFile).toString('base64') : undefined);
  if (!ca) throw new Error('the admin kubeconfig has no CA to copy');
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'local', server: 'https://127.0.0.1:6443', caData: ca, skipTLSVerify: false }],
    users: [{ name: 'ordinal-sa', token: token.status?.token ?? '' }],
    contexts: [{ name: 'ordinal-sa', cluster: 'local', user: 'ordinal-sa' }],
    currentContext: 'ordinal-sa',
  });
  const file = path.join(tempDir('rbac'), 'kubeconfig');
  writeFileSync(file, kc.exportConfig(), { mode: 0o600 });
  return file;
}

/** A run ID of the form lib/run/run-id.ts makes, from a date no run has (2020), `n` 0-9. */
export function fakeRunId(n: number): string {
  const hex = (Date.now() % 0x10000).toString(16).padStart(4, '0');
  return `20200101-00000${n}-${hex}`;
}
