// One way to ride out a flapping API server: retry only what a restart or a dropped
// connection explains (refused, reset, timed out, 429/5xx), with capped backoff, and
// only within the caller's own deadline. Anything else (403, 404, 409, 422) is an
// answer, returned to the caller at once.
import { ObservationError, describeError, httpStatus } from '../errors.ts';
import { TIMEOUTS } from '../timeouts.ts';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTCONN',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** The error code a network failure carries, on the error itself or its cause chain. */
function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  const text = describeError(err);
  for (const code of NETWORK_CODES) if (text.includes(code)) return code;
  return /socket hang up|network socket disconnected|fetch failed/i.test(text) ? 'disconnected' : undefined;
}

/** True when `err` is what an API server restart or a dropped connection looks like. */
export function isTransient(err: unknown): boolean {
  const status = httpStatus(err) ?? (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number') return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
  return networkCode(err) !== undefined;
}

/** 0.5 s, 1 s, 2 s, 4 s, then 5 s: quick after a blip, gentle on a server that is restarting. */
export function backoffMs(failures: number): number {
  return failures <= 0 ? 0 : Math.min(TIMEOUTS.backoffFirst * 2 ** (failures - 1), TIMEOUTS.backoffMax);
}

export interface RetryOptions {
  /** Wall-clock deadline (Date.now() ms) after which the last transient error is final. */
  deadline: number;
  /** What is being done, for the error message ("delete of pod web-1"). */
  what: string;
  log?: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Calls fn(attempt) until it succeeds, fails with a non-transient error (rethrown as is),
 * or the deadline passes (then an ObservationError naming what could not be done, since
 * when, and the last error). `attempt` starts at 1, so a caller can tell that an earlier
 * try may have reached the server before its connection dropped.
 */
export async function retryTransient<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isTransient(err)) throw err;
      const wait = backoffMs(attempt);
      if (Date.now() + wait > o.deadline) {
        throw new ObservationError(
          `${o.what} could not reach the API server for ${((Date.now() - started) / 1000).toFixed(1)}s (${attempt} attempts): ${describeError(err)}`,
        );
      }
      if (attempt === 1) o.log?.(`${o.what}: ${describeError(err)}; retrying until ${new Date(o.deadline).toISOString()}`);
      await sleep(wait);
    }
  }
}
