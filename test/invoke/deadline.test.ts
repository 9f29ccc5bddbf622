import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Client } from 'undici';
import { CallDeadline } from '../../src/invoke/deadline.js';

// sendHttp (http.ts) hands undici a CallDeadline instead of an AbortSignal: undici must stop the call with it,
// before the answer's headers and while its body streams, and forget it once the call is over.
test('undici stops a request when its CallDeadline passes, before the headers and during the body', {
  timeout: 30_000,
}, async (t) => {
  const server = createServer((request, response) => {
    if (request.url === '/body') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('first part');
    }
    // Never ends: only the deadline can stop the call.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new Client(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  t.after(async () => {
    await client.destroy();
    server.closeAllConnections();
    server.close();
  });
  const signal = (deadline: CallDeadline) => deadline as unknown as AbortSignal;

  const noHeaders = new CallDeadline(100);
  await assert.rejects(client.request({ method: 'GET', path: '/headers', signal: signal(noHeaders) }), {
    name: 'AbortError',
  });
  assert.equal(noHeaders.aborted, true);

  const stalledBody = new CallDeadline(100);
  const response = await client.request({ method: 'GET', path: '/body', signal: signal(stalledBody) });
  assert.equal(response.statusCode, 200);
  await assert.rejects(response.body.text(), { name: 'AbortError' });
  assert.equal(stalledBody.aborted, true);

  const inTime = new CallDeadline(60_000);
  const stopped = client.request({ method: 'GET', path: '/body', signal: signal(inTime) });
  const answer = await stopped;
  answer.body.destroy();
  inTime.clear();
  assert.equal(inTime.aborted, false, 'a cleared deadline never fires');
});
