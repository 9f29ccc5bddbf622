import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runDemo } from '../../src/cli/demo.js';
import { until } from '../helpers/poll.js';
import { startTestServer } from '../helpers/server.js';
import { collect, spawnKumo } from './local-helpers.js';

test('the demo behind `npm start` deploys every bundled example and each one answers', async (t) => {
  const { server, fc } = await startTestServer(t);
  const lines: string[] = [];
  await runDemo(server, (line) => lines.push(line));
  const output = lines.join('\n');
  assert.match(output, /Deployed examples\/nodejs-event as nodejs-event\/nodejs-event \(nodejs20\)/);
  assert.match(output, /Invoked custom-hello\/hello with the event "world":/);
  assert.match(output, /result: Hello from Kumo! You sent: world/);
  assert.match(output, /FC Invoke Start RequestId/);
  assert.match(output, /Billed Duration: \d+ ms/);
  assert.match(
    output,
    /invoke nodejs-event\/nodejs-event "Kumo"\n {2}→ \{"message":"Hello, Kumo!","runtime":"nodejs"/,
  );
  assert.match(
    output,
    /invoke python-event\/python-event "Kumo"\n {2}→ \{"message": "Hello, Kumo!", "runtime": "python"/,
  );
  assert.match(
    output,
    /proxy\/nodejs-http\/nodejs-http\/hello\?from=demo\n {2}→ 200 \{"message":"Hello from an HTTP function","method":"POST","path":"\/hello"/,
  );
  assert.match(
    output,
    /proxy\/python-http\/python-http\/hello\?from=demo\n {2}→ 200 \{"message": "Hello from a WSGI function", "method": "POST"/,
  );
  // One service per example: deploying one never touches another's.
  const services = (await fc.listServices()).data.services.map(
    (s) => (s as { serviceName: string }).serviceName,
  );
  assert.deepEqual(services.sort(), [
    'custom-hello',
    'nodejs-event',
    'nodejs-http',
    'python-event',
    'python-http',
  ]);
  // Running it again (a second `npm start`) updates instead of failing.
  await runDemo(server, () => undefined);
});

test('kumo serve --demo on another port and data dir prints an invoke hint that works as printed', {
  timeout: 120_000,
}, async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'kumo-demo-cwd-'));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  const serve = spawnKumo(
    ['serve', '--demo', '--port', '0', '--data-dir', 'elsewhere', '--log-format', 'pretty'],
    cwd,
  );
  const { output, done } = collect(serve);
  // SIGTERM: the server stops its instances before it exits.
  t.after(async () => {
    serve.kill('SIGTERM');
    await done;
  });
  await until(() => /Try it yourself.*\n {2}(npx kumo invoke .*)\n/.test(output.stdout), {
    what: 'kumo serve --demo prints its hint',
    timeoutMs: 100_000,
    detail: () => output.stdout + output.stderr,
  });
  const hint = /Try it yourself.*\n {2}npx kumo (invoke .*)\n/.exec(output.stdout)?.[1] ?? '';
  assert.match(hint, /--endpoint http:\/\/127\.0\.0\.1:\d+ --data-dir elsewhere/);
  // The printed words, run in the same folder, with no KUMO_* settings at all.
  const args = [...hint.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
  const invoked = collect(spawnKumo(args, cwd));
  const { code } = await invoked.done;
  assert.equal(code, 0, invoked.output.stderr);
  assert.match(invoked.output.stdout, /FC Invoke Result:\n\{"message":"Hello, you!"/);
});
