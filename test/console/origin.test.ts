import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { CONSOLE_ASSETS_DIR } from '../../src/console/index.js';
import { zipFiles } from '../helpers/code.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, startTestServer } from '../helpers/server.js';

const CHROMIUM = '/usr/bin/chromium';
const ATTACKER = readFileSync(new URL('../fixtures/console/attacker.js', import.meta.url), 'utf8');

interface Report {
  opener: string;
  apiWithConsoleHeader: number | string;
  apiWithSessionHeader: number | string;
  session: number | string;
  tail: number | string;
  openedWindow: string;
  frame: string;
  workerForRoot: string;
  workerForOwnPath: string;
}

test("a hostile function's page on the console's origin cannot act with a signed-in person's rights", async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`needs Debian's chromium at ${CHROMIUM} (scripts/setup.sh installs it)`);
    return;
  }
  assert.ok(existsSync(`${CONSOLE_ASSETS_DIR}index.html`), 'the console is built (npm run build)');
  const { fc, server } = await startTestServer(t);
  await fc.createService('evil');
  await fc.createFunction('evil', {
    functionName: 'page',
    runtime: 'nodejs20',
    handler: 'index.handler',
    code: { zipFile: await zipFiles({ 'index.js': ATTACKER }) },
  });
  await fc.post('/services/evil/functions/page/triggers', {
    triggerName: 'http',
    triggerType: 'http',
    triggerConfig: { authType: 'anonymous', methods: ['GET'] },
  });

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-sync',
    ],
  });
  t.after(() => browser.close());
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);

  // A person signs in to the console and, from the function's page in the console, opens its trigger URL.
  await page.goto(`${server.url}/`);
  await page.getByLabel('Access key ID').fill(ACCESS_KEY_ID);
  await page.getByLabel('Access key secret').fill(ACCESS_KEY_SECRET);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'evil', exact: true }).click();
  await page.getByRole('link', { name: 'page', exact: true }).click();
  const triggerUrl = `${server.url}/2016-08-15/proxy/evil/page/`;
  const [site] = await Promise.all([
    page.waitForEvent('popup'),
    page.getByRole('link', { name: triggerUrl }).click(),
  ]);
  site.setDefaultTimeout(60_000);
  await site.waitForFunction("document.getElementById('report').textContent !== ''");
  const report = JSON.parse((await site.textContent('#report')) ?? '{}') as Report;

  assert.equal(report.opener, 'none', 'the console opens trigger URLs without an opener');
  // No ambient credential: the same-origin API calls carry nothing that signs them.
  assert.equal(report.apiWithConsoleHeader, 403);
  assert.equal(report.apiWithSessionHeader, 403);
  assert.equal(report.session, 403);
  assert.equal(report.tail, 403);
  // No handle on a console document.
  // (Cut off by COOP: the handle reads as closed, or, caught mid-swap, its document is out of reach.)
  assert.match(
    report.openedWindow,
    /^(closed|blocked: SecurityError)$/,
    'a console window it opens is cut off',
  );
  assert.notEqual(report.frame, 'console DOM readable', 'the console will not load in its frame');
  assert.equal(report.frame, 'no document');
  // No service worker over the console: refused for `/`, while its own path works (the control).
  assert.match(report.workerForRoot, /^refused: SecurityError/);
  assert.equal(report.workerForOwnPath, 'registered for /2016-08-15/proxy/evil/page/');
  const workers = context.serviceWorkers().map((w) => new URL(w.url()).pathname);
  assert.ok(
    workers.every((p) => p.startsWith('/2016-08-15/proxy/evil/')),
    `workers: ${workers.join(', ')}`,
  );

  // The console itself still works, and is not under the function's worker.
  await page.bringToFront();
  await page.getByRole('link', { name: 'Kumo' }).click();
  // The services list (the trigger page it replaces also links to a URL holding 'evil').
  await page.waitForURL((url) => url.hash === '#/' || url.hash === '');
  await page.getByRole('link', { name: 'evil', exact: true }).waitFor();
  assert.equal(await page.evaluate('navigator.serviceWorker.controller'), null);
  await page.reload();
  await page.getByLabel('Access key ID').waitFor();
  assert.equal(await page.evaluate('navigator.serviceWorker.controller'), null);
});
