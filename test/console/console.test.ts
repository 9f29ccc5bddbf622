import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { test } from 'node:test';
import { chromium, type Locator, type Page } from 'playwright-core';
import { CONSOLE_ASSETS_DIR } from '../../src/console/index.js';
import { zipFiles } from '../helpers/code.js';
import { until } from '../helpers/poll.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, startTestServer } from '../helpers/server.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = new URL('../../test-output/console/', import.meta.url).pathname;

const HANDLER = `exports.handler = (event, context, callback) => {
  const input = JSON.parse(event.toString() || '{}');
  console.log('got event for ' + input.name);
  callback(null, 'hello ' + input.name);
};`;

const PAGE = `exports.page = (request, response) => {
  response.setHeader('content-type', 'text/plain');
  response.send('served by page');
};`;

test('a person signs in, finds a function, invokes it, tails its logs, sees instances and metrics', async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`needs Debian's chromium at ${CHROMIUM} (scripts/setup.sh installs it)`);
    return;
  }
  assert.ok(existsSync(`${CONSOLE_ASSETS_DIR}index.html`), 'the console is built (npm run build)');
  mkdirSync(SHOTS, { recursive: true });
  const { fc, server } = await startTestServer(t);

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
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(60_000);
  // The session token as the page sends it (it is in no storage a test, or another page, could read).
  let token: string | undefined;
  page.on('request', (r) => {
    token = r.headers()['x-kumo-console-session'] ?? token;
  });
  const shot = (name: string) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });

  // Sign in: the labelled fields and the button are the contract.
  await page.goto(`${server.url}/`);
  await page.getByLabel('Access key ID').fill(ACCESS_KEY_ID);
  await page.getByLabel('Access key secret').fill(ACCESS_KEY_SECRET);
  await shot('1-sign-in');
  await page.getByRole('button', { name: 'Sign in' }).click();

  // Nothing deployed yet: the empty state tells how to deploy a first function.
  await page.getByRole('heading', { name: /deploy your first function/ }).waitFor();
  assert.match(await text(page.locator('main')), /kumo deploy/);
  assert.match(await text(page.locator('main')), new RegExp(`--access-key-id ${ACCESS_KEY_ID}`));
  await shot('2-empty-state');
  // Neither the secret nor the session token is in any storage another page on this origin could read.
  const stored = String(
    await page.evaluate('JSON.stringify({ ...localStorage, ...sessionStorage }) + document.cookie'),
  );
  assert.doesNotMatch(stored, new RegExp(ACCESS_KEY_SECRET));
  assert.ok(token, 'the page sends its session token');
  assert.ok(!stored.includes(token), 'the token is in memory only');
  assert.deepEqual(await page.context().cookies(), [], 'no cookie at all');

  await fc.createService('shop', { description: 'the demo shop' });
  await fc.createFunction('shop', {
    functionName: 'hello',
    runtime: 'nodejs20',
    handler: 'index.handler',
    environmentVariables: { GREETING: 'hi' },
    code: { zipFile: await zipFiles({ 'index.js': HANDLER }) },
  });

  await fc.createFunction('shop', {
    functionName: 'page',
    runtime: 'nodejs20',
    handler: 'index.page',
    code: { zipFile: await zipFiles({ 'index.js': PAGE }) },
  });
  await fc.createTrigger('shop', 'page', {
    triggerName: 'web',
    triggerType: 'http',
    triggerConfig: { authType: 'anonymous', methods: ['GET'] },
  });
  await fc.publishVersion('shop', 'first release');
  await fc.createAlias('shop', 'prod', '1');

  // The service list (loaded afresh by leaving it and coming back: a reload would sign out), then the service's
  // functions, each a link named by the function.
  await page.evaluate("location.hash = '#/services/shop'");
  await page.getByRole('link', { name: 'Kumo' }).click();
  await page.getByRole('link', { name: 'shop', exact: true }).click();
  await shot('3-services');
  await page.getByRole('link', { name: 'hello', exact: true }).click();
  await page.getByRole('heading', { name: 'hello', level: 1 }).waitFor();
  await page.getByText('GREETING').waitFor();

  // Invoke with an event: the Result region shows the answer, status, duration and the call's log lines.
  await page.getByLabel('Event').fill('{"name": "console"}');
  await page.getByRole('button', { name: 'Invoke' }).click();
  const result = page.getByRole('region', { name: 'Result' });
  await result.getByText('hello console').waitFor();
  const resultText = await text(result);
  assert.match(resultText, /Succeeded/);
  assert.match(resultText, /Status\s*200/);
  assert.match(resultText, /Duration\s*\d+ ms/);
  assert.match(resultText, /got event for console/);
  assert.match(resultText, /Billed Duration/);
  await shot('4-function-invoked');
  // A JSON event that is not JSON is caught before sending; as Text it is sent, and the function's failure shows.
  await page.getByLabel('Event').fill('not json');
  await page.getByRole('button', { name: 'Invoke' }).click();
  await page
    .getByRole('alert')
    .getByText(/not valid JSON/)
    .waitFor();
  await page.getByRole('radio', { name: 'Text' }).check();
  await page.getByRole('button', { name: 'Invoke' }).click();
  await result.getByText(/Failed: UnhandledInvocationError/).waitFor();
  assert.match(await text(result), /SyntaxError/);
  await shot('4b-function-failed');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: /Download code/ }).click(),
  ]);
  assert.match(download.suggestedFilename(), /\.zip$/);

  // Logs: the live tail shows a call made after it started.
  await page.getByRole('link', { name: 'Logs' }).click();
  await page.getByRole('button', { name: 'Start live tail' }).click();
  await page.getByText('Tail live.').waitFor();
  await until(() => page.getByRole('button', { name: 'Stop live tail' }).isVisible(), {
    what: 'the tail is on',
  });
  await fc.invokeFunction('shop', 'hello', JSON.stringify({ name: 'tail-check' }));
  await page.getByRole('log', { name: 'Live log lines' }).getByText('got event for tail-check').waitFor();
  // And the search finds stored lines by request id.
  const invoked = await fc.invokeFunction('shop', 'hello', JSON.stringify({ name: 'search-me' }));
  const requestId = String((invoked.headers as Record<string, string>)['x-fc-request-id']);
  await page.getByLabel('Request ID').fill(requestId);
  await page.getByRole('button', { name: 'Search' }).click();
  await until(async () => /got event for search-me/.test(await text(page.getByLabel('Search results'))), {
    what: 'the search finds the call by request id',
    timeoutMs: 30_000,
  });
  assert.doesNotMatch(await text(page.getByLabel('Search results')), /tail-check/);
  await shot('5-logs');

  // Instances: the warm instance that served the calls.
  await page.getByRole('link', { name: 'Instances' }).click();
  await page
    .getByRole('row', { name: /Idle|Busy/ })
    .first()
    .waitFor();
  assert.match(await text(page.getByRole('table')), /LATEST/);
  await shot('6-instances');

  // Keyboard: the function's navigation is reachable and followable with Tab and Enter.
  await page.getByRole('link', { name: 'Overview' }).focus();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Start live tail' }).waitFor();

  // An HTTP function: its trigger URL to click, and the service's versions and aliases.
  await page.getByRole('link', { name: 'shop', exact: true }).click();
  await page.getByRole('link', { name: 'page', exact: true }).click();
  const triggerUrl = `${server.url}/2016-08-15/proxy/shop/page/`;
  const [site] = await Promise.all([
    page.waitForEvent('popup'),
    page.getByRole('link', { name: triggerUrl }).click(),
  ]);
  await site.getByText('served by page').waitFor();
  await site.close();
  const versions = page.getByRole('table', { name: 'Versions' });
  assert.match(await text(versions), /first release/);
  assert.match(await text(page.getByRole('table', { name: 'Aliases' })), /prod\s*1/);
  await shot('7-http-function');
  await page.goBack();
  await page.waitForURL(/#\/services\/shop$/);
  await page.goBack();
  await page.waitForURL(/#\/services\/shop\/functions\/hello\/logs$/);

  // A session ended elsewhere (expiry, restart, sign-out in another tab) brings the sign-in form back, and signing
  // in again lands on the same page.
  const ended = await fetch(`${server.url}/console/session`, {
    method: 'DELETE',
    headers: { 'x-kumo-console': '1', 'x-kumo-console-session': token ?? '' },
  });
  assert.equal(ended.status, 204);
  // The next call the page makes (a search; or one the page itself still had on the way) meets the ended session.
  await until(
    async () => {
      if (await page.getByLabel('Access key ID').isVisible()) return true;
      await page
        .getByRole('button', { name: 'Search' })
        .click({ timeout: 1_000 })
        .catch(() => {});
      return false;
    },
    { what: 'the ended session brings the sign-in form back' },
  );
  await page.getByLabel('Access key ID').fill(ACCESS_KEY_ID);
  await page.getByLabel('Access key secret').fill(ACCESS_KEY_SECRET);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Start live tail' }).waitFor();

  // Metrics: the Calls chart has the calls of the last hour.
  await page.getByRole('link', { name: 'Metrics' }).click();
  const calls = page.getByRole('figure', { name: 'Calls' });
  await calls.locator('canvas').first().waitFor();
  const summary = await calls.getByRole('img').getAttribute('aria-label');
  const total = Number(/Calls: (\d+) in the hour/.exec(summary ?? '')?.[1]);
  assert.ok(total >= 3, `the Calls chart counts the 3 calls (says: ${summary})`);
  assert.ok(Number(await calls.getAttribute('data-points')) >= 1, 'the chart has a point with calls');
  await shot('8-metrics');

  // The session lives in the tab's memory: a reload asks to sign in again, and says why.
  await page.reload();
  await page.getByLabel('Access key ID').waitFor();
  assert.match(await text(page.locator('main')), /reloading the page .* asks you to sign in/);
  await page.getByLabel('Access key ID').fill(ACCESS_KEY_ID);
  await page.getByLabel('Access key secret').fill(ACCESS_KEY_SECRET);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await signOut(page);
});

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Access key ID').waitFor();
}

/** What a locator's element says (its text content; a missing element says nothing). */
async function text(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? '';
}
