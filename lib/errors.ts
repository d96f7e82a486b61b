// Error kinds map onto exit codes: a broken guarantee is a check result (exit 1);
// anything here means the run could not judge the cluster at all (exit 2).

/** Bad flags or configuration: the user can fix it without touching the cluster. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The cluster cannot host the run: unreachable, missing storage class, image pull failure. */
export class ClusterError extends Error {
  override name = 'ClusterError';
  readonly detail: string | undefined;
  constructor(message: string, detail?: string) {
    super(message);
    this.detail = detail;
  }
}

/** A wait ran out. `seen` describes the last observed state (phases, conditions, events). */
export class WaitTimeoutError extends ClusterError {
  override name = 'WaitTimeoutError';
}

/**
 * The harness lost sight of the cluster (API server unreachable past a wait's deadline,
 * exec or port-forward transport failure): whatever depended on it is `error`, never `failed`.
 */
export class ObservationError extends ClusterError {
  override name = 'ObservationError';
}

/** The HTTP status of a client-node ApiException, if that is what `err` is. */
export function httpStatus(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}

/** A short, single-line description of an API or network error. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) {
    // client-node's exec and port-forward reject with the WebSocket's ErrorEvent, which
    // is not an Error but carries the reason ("Unexpected server response: 403").
    const message = (err as { message?: unknown } | null)?.message;
    return typeof message === 'string' && message.length > 0 ? message : String(err);
  }
  const body = (err as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      const status = JSON.parse(body) as { message?: string };
      if (status.message) return `${status.message} (HTTP ${httpStatus(err) ?? '?'})`;
    } catch {
      // not JSON: fall through to the error's own message
    }
  }
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${err.message}: ${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return err.message.split('\n')[0] ?? err.message;
}
