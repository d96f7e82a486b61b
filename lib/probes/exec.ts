// Run a command in a pod's container and collect its output, with a deadline.
import { Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import type { Cluster } from '../cluster.ts';
import { ClusterError, describeError } from '../errors.ts';

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

export async function execIn(
  cluster: Cluster,
  namespace: string,
  pod: string,
  container: string,
  command: string[],
  timeoutMs = 30_000,
): Promise<ExecResult> {
  const out = collector();
  const err = collector();
  const where = `pod ${pod} in namespace ${namespace}`;
  return new Promise<ExecResult>((resolve, reject) => {
    let socket: { close(): void } | undefined;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket?.close();
      reject(new ClusterError(`exec in ${where} did not finish within ${timeoutMs / 1000}s: ${command.join(' ')}`));
    }, timeoutMs);
    new k8s.Exec(cluster.kc)
      .exec(namespace, pod, container, command, out.stream, err.stream, null, false, (status: k8s.V1Status) => {
        clearTimeout(timer);
        // A non-zero exit arrives as Failure with an ExitCode cause; other failures have none.
        const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
        const exitCode = status.status === 'Success' ? 0 : Number(cause?.message ?? -1);
        resolve({ stdout: out.text(), stderr: err.text(), exitCode });
      })
      .then((ws) => {
        socket = ws;
        if (timedOut) ws.close(); // opened after the deadline: nothing waits for it
      })
      .catch((e: unknown) => {
        clearTimeout(timer);
        reject(new ClusterError(`exec in ${where} failed: ${describeError(e)}`));
      });
  });
}

/** A file's content as the pod sees it, or why it could not be read (never throws). */
export async function readFileIn(
  cluster: Cluster, namespace: string, pod: string, container: string, path: string,
): Promise<{ data?: string; error?: string }> {
  try {
    const r = await execIn(cluster, namespace, pod, container, ['cat', path]);
    return r.exitCode === 0 ? { data: r.stdout } : { error: `cat ${path} exited ${r.exitCode}: ${r.stderr.trim()}` };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
