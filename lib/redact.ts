// --node-fault-command is the user's own shell command, and it and its output travel into
// the replay line, results.json, HTML, JUnit and the GitHub summary. Secrets belong in
// the command's environment (the docs say so); these patterns are the safety net for a
// secret written inline anyway: the credential-shaped parts of a command line or of its
// output become *** and everything around them stays readable.

const MASK = '***';
/** A shell word: single-quoted, double-quoted or bare (a bare one ends at & or ;, as in a query string). */
const VALUE = String.raw`(?:'[^']*'|"[^"]*"|[^\s'"&;]+)`;
/** Words that name a secret: --password, PGPASSWORD, api_key, X-Auth-Token, client-secret … */
// Every repetition around a fixed word is bounded, so a long line without spaces costs
// linear time, not quadratic (the reports pass every string of a result through here).
const SECRET_WORD = String.raw`[\w.-]{0,40}(?:passw(?:or)?d|pwd|token|secret|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)[\w.-]{0,40}`;

const RULES: [RegExp, string][] = [
  // URLs with userinfo: https://user:pass@host, https://token@host.
  [/\b([a-z][a-z0-9+.-]{0,30}:\/\/)([^\s/@:'"]{1,256}):([^\s/@'"]{1,256})@/gi, `$1$2:${MASK}@`],
  [/\b([a-z][a-z0-9+.-]{0,30}:\/\/)([^\s/@:'"]{1,256})@/gi, `$1${MASK}@`],
  // HTTP credentials in a header, quoted or not: Authorization: Bearer x, Authorization: Basic x.
  [/\b((?:proxy-)?authorization\s*:\s*)(?:(basic|bearer|token|digest|negotiate)\s+)?[^\s'"]+/gi, `$1$2 ${MASK}`],
  [/\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1${MASK}`],
  // curl -u user:pass, --user user:pass, -uuser:pass: the user stays, the password goes.
  [/(^|\s)(-u\s*|--user[\s=]+|--proxy-user[\s=]+)(['"])([^\s:'"]+):[^'"]*\3/g, `$1$2$3$4:${MASK}$3`],
  [/(^|\s)(-u\s*|--user[\s=]+|--proxy-user[\s=]+)([^\s:'"]+):[^\s'"]+/g, `$1$2$3:${MASK}`],
  // sshpass -p secret, mysql -psecret (the two common tools whose -p is a password).
  [new RegExp(String.raw`\b((?:sshpass|mysql|mysqladmin|mysqldump)\b[^\n|;&]{0,200}?\s-p\s*)${VALUE}`, 'g'), `$1${MASK}`],
  // --password x, --token=x, -password x.
  [new RegExp(String.raw`(^|\s)(--?${SECRET_WORD})(\s+|=)${VALUE}`, 'gi'), `$1$2$3${MASK}`],
  // token=x, PGPASSWORD=x, "password": "x", client_secret: x.
  [new RegExp(String.raw`\b(${SECRET_WORD})(['"]?\s*[:=]\s*)${VALUE}`, 'gi'), `$1$2${MASK}`],
];

/** `text` with every credential-shaped part replaced by ***. */
export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out;
}

/** A copy of `value` (JSON data) with redact applied to every string in it. */
export function redactDeep<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
