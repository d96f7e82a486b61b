// tool.version in every RunResult comes from package.json, not a constant in the code.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';

describe('tool version', () => {
  it('is the version in package.json, as every result records it', async () => {
    const { toolVersion } = await import('../../../lib/run/version.ts');
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(toolVersion())
      .to.equal(pkg.version)
      .and.to.match(/^\d+\.\d+\.\d+/);
  });
});
