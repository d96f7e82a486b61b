// examples/rbac.yaml's admission policies name the run namespace's form and labels in
// CEL; lib/run/run-id.ts, lib/names.ts and lib/run/namespace.ts make them. This ties the two:
// a new run-ID format or a new namespace label breaks here, not on a user's cluster.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { runNamespace } from '../../../lib/names.ts';
import { POD_SECURITY } from '../../../lib/run/namespace.ts';
import { newRunId } from '../../../lib/run/run-id.ts';
import { MANAGED_BY, RUN_LABEL } from '../../../lib/workloads/common.ts';

const MANIFEST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/rbac.yaml');
type Policy = {
  kind: string;
  metadata: { name: string };
  spec: { variables?: { name: string; expression: string }[]; validations: { expression: string }[] };
};
const docs = k8s.loadAllYaml(readFileSync(MANIFEST, 'utf8')) as Policy[];
const policy = (name: string): Policy => {
  const p = docs.find((d) => d.kind === 'ValidatingAdmissionPolicy' && d.metadata.name === name);
  if (!p) throw new Error(`examples/rbac.yaml has no ValidatingAdmissionPolicy ${name}`);
  return p;
};
const text = (p: Policy): string =>
  [...(p.spec.variables ?? []).map((v) => v.expression), ...p.spec.validations.map((v) => v.expression)].join('\n');
/** Every regular expression a policy hands to CEL's matches(). */
const patterns = (p: Policy): RegExp[] => [...text(p).matchAll(/matches\('([^']+)'\)/g)].map((m) => new RegExp(m[1] ?? ''));

describe('examples/rbac.yaml admission policies against the code', () => {
  const namespaces = policy('ordinal-harness-namespaces');
  const writes = policy('ordinal-harness-run-namespaces-only');

  it('accept the name of every run namespace the code makes, and only that form', () => {
    const nameRe = patterns(namespaces)[0];
    expect(nameRe, 'the namespaces policy checks the name').to.not.equal(undefined);
    for (const d of ['2026-01-01T00:00:00Z', '2026-12-31T23:59:59.999Z', '1999-07-04T12:34:56Z']) {
      for (let i = 0; i < 20; i++) expect(runNamespace(newRunId(new Date(d)))).to.match(nameRe!);
    }
    for (const bad of [
      'payments-prod',
      'ordinal-system',
      'ordinal-20261206-120000-abcd-x',
      'x-ordinal-20261206-120000-abcd',
      'ordinal-20261206-120000-ABCD',
    ]) {
      expect(bad).to.not.match(nameRe!);
    }
    expect(patterns(writes).map(String), 'both policies agree on the name form').to.include(String(nameRe));
  });

  it('the labels createRunNamespace sets are exactly the ones the policy allows', () => {
    const allowed = /variables\.labels\.all\(k, k in \[([^\]]+)\]\)/.exec(text(namespaces))?.[1];
    expect(allowed, 'the allowed label keys').to.be.a('string');
    const keys = [...(allowed ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1]).sort();
    const set = Object.keys({ ...MANAGED_BY, [RUN_LABEL]: 'x', ...POD_SECURITY, 'kubernetes.io/metadata.name': 'x' }).sort();
    expect(keys).to.deep.equal(set);
    const levels = /enforce'\] in \[([^\]]+)\]/.exec(text(namespaces))?.[1] ?? '';
    expect(levels).to.include(`'${POD_SECURITY['pod-security.kubernetes.io/enforce']}'`);
    expect(levels).to.not.include('privileged');
  });
});
