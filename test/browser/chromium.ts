// One way to start the browser for the report specs: Debian's Chromium, headless, with
// every request that is not file:// aborted, so a report that tried to reach the network
// would show it as a failed request instead of leaving the machine.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function openBrowser(): Promise<{ browser: Browser; context: BrowserContext }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser tests need Chromium (apt-get install chromium); they never pass without it`);
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.route(/^(?!file:)/, (route) => route.abort());
  return { browser, context };
}
