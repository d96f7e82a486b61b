// etcd's v3 JSON gateway (grpc-gateway on the client port: POST /v3/kv/range, /v3/kv/put,
// /v3/kv/txn, /v3/cluster/member/list; keys and values base64): what the history client
// sends and how it reads the answers. The request bodies and the parsing are pure; post()
// is the one function that talks to a member, over a keep-alive connection.
import http from 'node:http';
import { Resolver } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import type { Scalar } from '../history/events.ts';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

/** A value as stored: unique integers as decimal text, read back as numbers. */
export function decodeValue(text: string): Scalar {
  return /^(0|[1-9]\d{0,14})$/.test(text) ? Number(text) : text;
}

/** `serializable`: the member answers from its own store without a quorum round (may be stale). */
export function rangeBody(key: string, serializable: boolean): object {
  return { key: b64(key), ...(serializable ? { serializable: true } : {}) };
}

/** Every key under `prefix` (keys only), from the member's own store when `serializable`. */
export function prefixBody(prefix: string, serializable: boolean): object {
  // range_end: the prefix with its last byte incremented, etcd's --prefix.
  const bytes = Buffer.from(prefix, 'utf8');
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) + 1;
  return { key: b64(prefix), range_end: bytes.toString('base64'), keys_only: true, ...(serializable ? { serializable: true } : {}) };
}

export function putBody(key: string, value: Scalar): object {
  return { key: b64(key), value: b64(String(value)) };
}

/** Compare-and-set: put `to` if the key holds `from` (null: the key was never created). */
export function casBody(key: string, from: Scalar | null, to: Scalar): object {
  const compare =
    from === null
      ? { key: b64(key), target: 'CREATE', result: 'EQUAL', create_revision: '0' }
      : { key: b64(key), target: 'VALUE', result: 'EQUAL', value: b64(String(from)) };
  return { compare: [compare], success: [{ request_put: putBody(key, to) }] };
}

export interface GatewayAnswer {
  /** The member that served the request (hex, as `etcdctl member list` prints IDs). */
  readonly member?: string;
}

/** grpc-gateway encodes uint64 as a decimal string. */
function memberHex(header: unknown): string | undefined {
  const id = (header as { member_id?: unknown } | undefined)?.member_id;
  if (typeof id !== 'string' && typeof id !== 'number') return undefined;
  return /^\d+$/.test(String(id)) ? BigInt(id).toString(16) : undefined;
}

function object(body: unknown, what: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error(`${what}: the answer is not a JSON object`);
  return body as Record<string, unknown>;
}

/** A range of one key: its value (null: no such key). */
export function parseRange(body: unknown): GatewayAnswer & { value: Scalar | null } {
  const o = object(body, 'range');
  const kvs = o.kvs ?? [];
  if (!Array.isArray(kvs)) throw new Error('range: kvs is not an array');
  const kv = kvs[0] as { value?: unknown } | undefined;
  const member = memberHex(o.header);
  // A key put with an empty value has no `value` field (proto3 JSON omits defaults).
  const value = kv === undefined ? null : decodeValue(typeof kv.value === 'string' ? unb64(kv.value) : '');
  return { value, ...(member ? { member } : {}) };
}

/** A prefix range's keys, with the prefix cut off. */
export function parseKeys(body: unknown, prefix: string): GatewayAnswer & { keys: string[] } {
  const o = object(body, 'range');
  const kvs = o.kvs ?? [];
  if (!Array.isArray(kvs)) throw new Error('range: kvs is not an array');
  const keys = kvs.map((kv: { key?: unknown }) => (typeof kv.key === 'string' ? unb64(kv.key) : '')).filter((k) => k.startsWith(prefix));
  const member = memberHex(o.header);
  return { keys: keys.map((k) => k.slice(prefix.length)), ...(member ? { member } : {}) };
}

/** A put's or txn's answer: whether a txn's compare held (a put always "succeeds"). */
export function parseWrite(body: unknown, txn: boolean): GatewayAnswer & { succeeded: boolean } {
  const o = object(body, txn ? 'txn' : 'put');
  const member = memberHex(o.header);
  if (o.header === undefined) throw new Error(`${txn ? 'txn' : 'put'}: the answer has no header`);
  return { succeeded: txn ? o.succeeded === true : true, ...(member ? { member } : {}) };
}

/** Member ID (hex) → name; the etcd sample names each member after its pod. */
export function parseMembers(body: unknown): Record<string, string> {
  const o = object(body, 'member list');
  const out: Record<string, string> = {};
  for (const m of Array.isArray(o.members) ? (o.members as { ID?: unknown; name?: unknown }[]) : []) {
    const id = memberHex({ member_id: m.ID });
    if (id && typeof m.name === 'string' && m.name !== '') out[id] = m.name;
  }
  return out;
}

/** An error before the request reached etcd: the operation cannot have taken effect. */
export class Refused extends Error {
  override name = 'Refused';
}
/** No answer within the client's timeout: the operation may or may not have taken effect. */
export class TimedOut extends Error {
  override name = 'TimedOut';
}

const REFUSED_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ENODATA', 'EAI_AGAIN']);

/**
 * Resolves names with c-ares from /etc/resolv.conf, not getaddrinfo: the image has no
 * nsswitch.conf, and each new connection after a pod moved must see its new address.
 */
export function clusterLookup(): LookupFunction {
  const resolver = new Resolver();
  return (hostname, options, callback) => {
    resolver.resolve4(hostname).then(
      (addrs) => {
        const a = addrs[0] ?? '';
        if (options.all) callback(null, [{ address: a, family: 4 }]);
        else callback(null, a, 4);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 4),
    );
  };
}

/** POSTs `body` to `baseUrl + path` and returns the parsed JSON; throws Refused, TimedOut or Error (an etcd error answer). */
export function post(agent: http.Agent, baseUrl: string, path: string, body: object, timeoutMs: number): Promise<unknown> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    let sent = false;
    const req = http.request(
      `${baseUrl}${path}`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(new Error(`${path}: ${err.message}`)));
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            return reject(new Error(`${path}: HTTP ${res.statusCode}, not JSON: ${text.slice(0, 120)}`));
          }
          if (res.statusCode !== 200) {
            const msg = (parsed as { message?: unknown; error?: unknown }).message ?? (parsed as { error?: unknown }).error;
            return reject(new Error(`${path}: HTTP ${res.statusCode}: ${typeof msg === 'string' ? msg : text.slice(0, 120)}`));
          }
          resolve(parsed);
        });
      },
    );
    const timer = setTimeout(() => {
      // Not yet connected: the request never left, so it cannot have taken effect.
      req.destroy(
        sent ? new TimedOut(`${path}: no answer within ${timeoutMs} ms`) : new Refused(`${path}: no connection within ${timeoutMs} ms`),
      );
    }, timeoutMs);
    req.on('socket', (s) => {
      if (!s.connecting) sent = true;
      else s.once('connect', () => (sent = true));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err instanceof TimedOut || err instanceof Refused) reject(err);
      else if (!sent && err.code !== undefined && REFUSED_CODES.has(err.code)) reject(new Refused(`${path}: ${err.code} ${err.message}`));
      else reject(new Error(`${path}: ${err.code ?? ''} ${err.message}`.trim()));
    });
    req.end(data);
  });
}
