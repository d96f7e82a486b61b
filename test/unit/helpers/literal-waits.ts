// Finds numeric literals used as a wait's budget, deadline or pause in TypeScript source,
// so that lib/timeouts.ts stays the one place where those figures live. It reads the
// syntax tree, not the text: a wait position is
//  - a delay or budget argument of a known wait function (setTimeout, sleep, clusterExec...),
//  - the value of a variable, parameter default or property whose name says it is one
//    (timeoutMs, deadline, until, hold, intervalMs, ...),
//  - the right-hand side of `Date.now() + ...` (and performance.now(), now()): a deadline.
// Inside a wait position every numeric literal counts except 0 and the 1000 of a
// seconds-to-ms conversion. Function bodies are not wait positions (their own waits are
// found where they occur).
import ts from 'typescript';

/** Which arguments of which calls are budgets, deadlines or pauses. */
export const WAIT_ARGUMENTS: ReadonlyMap<string, readonly number[]> = new Map(
  Object.entries({
    setTimeout: [1],
    setInterval: [1],
    sleep: [0],
    pause: [0],
    clusterExec: [2],
    execIn: [5],
    deleteRunNamespace: [3],
    finish: [2],
    probeVersion: [2],
    startLocalCluster: [0],
    settleA: [4],
    settleSrv: [3],
    waitNodeReady: [3],
    waitRollout: [3],
    scaleDown: [4],
    settleScaledClaims: [4],
    deleteStatefulSet: [3],
    ensureStsSupport: [2],
    startTraffic: [7],
  }),
);

/** Words that make a name a budget, deadline or pause: timeoutMs, deadline, ONDELETE_HOLD_MS, intervalMs... */
const WAIT_WORDS = new Set(['timeout', 'deadline', 'until', 'budget', 'delay', 'interval', 'hold', 'wait', 'pause', 'sleep', 'settle']);

/** True when one camelCase or SNAKE_CASE word of `name` is a wait word (failureThreshold's "hold" is not a word). */
export function isWaitName(name: string): boolean {
  return name.split(/_|(?<=[a-z0-9])(?=[A-Z])/).some((w) => WAIT_WORDS.has(w.toLowerCase()));
}
const CLOCKS = new Set(['Date.now()', 'performance.now()', 'now()']);

export interface LiteralWait {
  line: number;
  literal: string;
  /** The wait position's source text. */
  where: string;
}

function nameOf(n: ts.Node | undefined): string {
  if (!n) return '';
  if (ts.isIdentifier(n) || ts.isPrivateIdentifier(n) || ts.isStringLiteral(n)) return n.text;
  if (ts.isPropertyAccessExpression(n)) return n.name.text;
  return '';
}

function isUnitConversion(lit: ts.NumericLiteral): boolean {
  const p = lit.parent;
  return (
    Number(lit.text.replaceAll('_', '')) === 1000 &&
    ts.isBinaryExpression(p) &&
    (p.operatorToken.kind === ts.SyntaxKind.AsteriskToken || p.operatorToken.kind === ts.SyntaxKind.SlashToken)
  );
}

/** Every literal wait in `source`; `file` only names it for the parser. */
export function findLiteralWaits(source: string, file = 'source.ts'): LiteralWait[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: LiteralWait[] = [];
  const seen = new Set<number>();
  const inspect = (expr: ts.Node | undefined): void => {
    if (!expr) return;
    const walk = (n: ts.Node): void => {
      // An index (entries[i + 1]) is a position in a list, not a time.
      if (ts.isFunctionLike(n) || ts.isObjectLiteralExpression(n) || ts.isElementAccessExpression(n)) return;
      if (ts.isNumericLiteral(n) && Number(n.text.replaceAll('_', '')) !== 0 && !isUnitConversion(n) && !seen.has(n.pos)) {
        seen.add(n.pos);
        found.push({ line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1, literal: n.text, where: expr.getText(sf) });
      }
      ts.forEachChild(n, walk);
    };
    walk(expr);
  };
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) {
      for (const i of WAIT_ARGUMENTS.get(nameOf(n.expression)) ?? []) inspect(n.arguments[i]);
    } else if ((ts.isVariableDeclaration(n) || ts.isParameter(n) || ts.isPropertyDeclaration(n)) && isWaitName(nameOf(n.name))) {
      inspect(n.initializer);
    } else if (ts.isPropertyAssignment(n) && isWaitName(nameOf(n.name))) {
      inspect(n.initializer);
    } else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.PlusToken && CLOCKS.has(n.left.getText(sf))) {
      inspect(n.right);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found.sort((a, b) => a.line - b.line);
}
