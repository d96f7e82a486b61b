import { expect } from 'chai';
import type { CheckStatus } from '../../lib/types.ts';
describe('toolchain', () => {
  it('runs TypeScript specs under Node 24', () => {
    const s: CheckStatus = 'passed';
    expect(process.versions.node.split('.')[0]).to.equal('24');
    expect(s).to.equal('passed');
  });
});
