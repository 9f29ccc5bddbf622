import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { zipFiles } from '../helpers/code.js';
import { startTestServer } from '../helpers/server.js';

const CHROMIUM = '/usr/bin/chromium';

const PAGE = `exports.handler = (request, response) => {
  response.setHeader('content-type', 'text/html; charset=utf-8');
  response.send('<!doctype html><title>Kumo page</title><h1 id="greeting">Hello from ' + request.path + '</h1>' +
    '<button id="b" onclick="fetch(\\'api?n=41\\', {method: \\'POST\\'}).then(r => r.text()).then(t => document.getElementById(\\'out\\').textContent = t)">go</button><p id="out"></p>');
};
exports.api = (request, response) => {
  response.send(String(Number(request.queries.n) + 1));
};`;

test('a page served by an HTTP function loads in headless Chromium and its script calls back', async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`needs Debian's chromium at ${CHROMIUM} (scripts/setup.sh installs it)`);
    return;
  }
  const { fc, server } = await startTestServer(t);
  await fc.createService('site');
  const zipFile = await zipFiles({ 'index.js': PAGE, 'package.json': '{"type":"commonjs"}' });
  for (const [name, handler] of [
    ['page', 'index.handler'],
    ['api', 'index.api'],
  ]) {
    await fc.createFunction('site', { functionName: name, runtime: 'nodejs20', handler, code: { zipFile } });
    await fc.post(`/services/site/functions/${name}/triggers`, {
      triggerName: 'http',
      triggerType: 'http',
      triggerConfig: { authType: 'anonymous', methods: ['GET', 'POST'] },
    });
  }
  await fc.createCustomDomain('site.localhost', {
    routeConfig: {
      routes: [
        { path: '/api', serviceName: 'site', functionName: 'api' },
        { path: '/*', serviceName: 'site', functionName: 'page' },
      ],
    },
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--host-resolver-rules=MAP site.localhost 127.0.0.1`,
    ],
  });
  t.after(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`http://site.localhost:${server.port}/welcome`);
  assert.equal(await page.title(), 'Kumo page');
  assert.equal(await page.textContent('#greeting'), 'Hello from /welcome');
  await page.click('#b');
  await page.waitForFunction("document.getElementById('out').textContent !== ''");
  assert.equal(await page.textContent('#out'), '42');
});
