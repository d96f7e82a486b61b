// Set-up for the browser tests, loaded with mocha's --require: they drive Debian's
// Chromium at /usr/bin/chromium. When it is missing, cluster/scripts/deps.sh installs
// it (root with apt-get, saying so) or names the package and how to install it; the
// browser specs then fail on the missing binary rather than skip.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  process.stdout.write(`[test setup] ${CHROMIUM} is missing: the browser tests need Debian's chromium\n`);
  const deps = fileURLToPath(new URL('../../cluster/scripts/deps.sh', import.meta.url));
  // apt-get has its own network timeouts; this bounds a wedged dpkg lock.
  const r = spawnSync('bash', [deps, 'ensure', 'browser'], { stdio: 'inherit', timeout: 15 * 60_000 });
  if (r.status !== 0)
    process.stderr.write(
      `[test setup] error: chromium is not installed (deps.sh exited ${r.status ?? r.signal}); the browser tests will fail\n`,
    );
}
