// Run a command in a pod's container and collect its output, with a deadline. The
// probes take an ExecFn, so their logic is tested with scripted results; execIn is the
// real one. The line that matters: a command that ran and exited non-zero is an answer
// (ExecResult.exitCode), a command that could not be run is an ObservationError.
import { Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import type { Cluster } from '../cluster/cluster.ts';
import { ObservationError, describeError } from '../errors.ts';
import { retryTransient } from '../cluster/retry.ts';
import { TIMEOUTS } from '../timeouts.ts';

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs `command` in `container` of `pod`; transport failures and timeouts throw ObservationError. */
export type ExecFn = (pod: string, container: string, command: string[]) => Promise<ExecResult>;

/**
 * The real ExecFn for one namespace. A refused or reset connection (API server restarting)
 * is retried until `deadline` (wall ms, shared by every call of one snapshot, so an API
 * server that stays down costs one budget, not one per exec); other failures are final.
 */
export function clusterExec(cluster: Cluster, namespace: string, deadline: number): ExecFn {
  return (pod, container, command) =>
    retryTransient(() => execIn(cluster, namespace, pod, container, command), { deadline, what: `exec in pod ${pod}` });
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
  timeoutMs: number = TIMEOUTS.exec,
): Promise<ExecResult> {
  await cluster.beforeExec?.(namespace, pod);
  const out = collector();
  const err = collector();
  const where = `pod ${pod} in namespace ${namespace}`;
  return new Promise<ExecResult>((resolve, reject) => {
    let socket: { close(): void } | undefined;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket?.close();
      reject(new ObservationError(`exec in ${where} did not finish within ${timeoutMs / 1000}s: ${command.join(' ')}`));
    }, timeoutMs);
    new k8s.Exec(cluster.kc)
      .exec(namespace, pod, container, command, out.stream, err.stream, null, false, (status: k8s.V1Status) => {
        clearTimeout(timer);
        // A non-zero exit arrives as Failure with an ExitCode cause. A Failure without one
        // (container not running, runtime error) means the command never ran: unobserved.
        const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
        if (status.status === 'Success') return resolve({ stdout: out.text(), stderr: err.text(), exitCode: 0 });
        const exitCode = Number(cause?.message);
        if (cause && Number.isInteger(exitCode)) return resolve({ stdout: out.text(), stderr: err.text(), exitCode });
        reject(execFailure(where, command, status));
      })
      .then((ws) => {
        socket = ws;
        if (timedOut) ws.close(); // opened after the deadline: nothing waits for it
      })
      .catch((e: unknown) => {
        clearTimeout(timer);
        reject(new ObservationError(`exec in ${where} failed: ${describeError(e)}`));
      });
  });
}

/**
 * Right after a kubelet restart, the kubelet serves exec only for pods it has re-synced
 * from the API; until then the API server relays "unable to upgrade connection: pod does
 * not exist" for a pod the API shows Running there (seen after kubelet-restart rounds).
 * That is a kubelet catching up, so it carries statusCode 503 and retryTransient retries
 * it within the caller's deadline; any other failed exec is an answer.
 */
export function execFailure(where: string, command: string[], status: k8s.V1Status): ObservationError {
  const err = new ObservationError(`exec in ${where} could not run ${command.join(' ')}: ${status.message ?? status.reason ?? 'Failure'}`);
  return /unable to upgrade connection: pod does not exist/.test(status.message ?? '') ? Object.assign(err, { statusCode: 503 }) : err;
}

export interface FileRead {
  data?: string;
  error?: string;
  /** The read never happened (exec transport failure): nothing is known about the file. */
  unobserved?: true;
}

/**
 * A file's content as the pod sees it, or why not (never throws). `cat` exiting non-zero
 * (no such file, I/O error) is the pod's answer: the data is not there. An exec that
 * could not run is `unobserved`.
 */
export async function readFileIn(exec: ExecFn, pod: string, container: string, path: string): Promise<FileRead> {
  try {
    const r = await exec(pod, container, ['cat', path]);
    return r.exitCode === 0 ? { data: r.stdout } : { error: `cat ${path} exited ${r.exitCode}: ${r.stderr.trim()}` };
  } catch (err) {
    return { error: describeError(err), unobserved: true };
  }
}
