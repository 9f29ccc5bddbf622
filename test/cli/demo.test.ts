import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runDemo } from '../../src/cli/demo.js';
import { startTestServer } from '../helpers/server.js';

test('the demo behind `npm start` deploys every bundled example and each one answers', async (t) => {
  const { server } = await startTestServer(t);
  const lines: string[] = [];
  await runDemo(server, (line) => lines.push(line));
  const output = lines.join('\n');
  assert.match(output, /result: Hello from Kumo! You sent: world/);
  assert.match(output, /FC Invoke Start RequestId/);
  assert.match(output, /Billed Duration: \d+ ms/);
  assert.match(
    output,
    /invoke demo\/nodejs-event "Kumo"\n {2}→ \{"message":"Hello, Kumo!","runtime":"nodejs"/,
  );
  assert.match(
    output,
    /invoke demo\/python-event "Kumo"\n {2}→ \{"message": "Hello, Kumo!", "runtime": "python"/,
  );
  assert.match(
    output,
    /proxy\/demo\/nodejs-http\/hello\?from=demo\n {2}→ 200 \{"message":"Hello from an HTTP function","method":"POST","path":"\/hello"/,
  );
  assert.match(
    output,
    /proxy\/demo\/python-http\/hello\?from=demo\n {2}→ 200 \{"message": "Hello from a WSGI function", "method": "POST"/,
  );
  // Running it again (a second `npm start`) updates instead of failing.
  await runDemo(server, () => undefined);
});
