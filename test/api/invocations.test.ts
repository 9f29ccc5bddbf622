import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertFcError, buildTestApp, type TestApp } from '../helpers/app.js';
import { zipFiles } from '../helpers/code.js';

const INVOKE = '/services/svc/functions/fn/invocations';

async function withFunction(t: Parameters<typeof buildTestApp>[0]): Promise<TestApp> {
  const app = await buildTestApp(t);
  await app.send('POST', '/services', { serviceName: 'svc' });
  const code = { zipFile: await zipFiles({ bootstrap: '#!/bin/sh\n' }) };
  assert.equal(
    (await app.send('POST', '/services/svc/functions', { functionName: 'fn', runtime: 'custom', code }))
      .status,
    200,
  );
  return app;
}

test('an async invocation is persisted before the 202, with its qualifier; its record is readable', async (t) => {
  const app = await withFunction(t);
  const accepted = await app.send('POST', INVOKE, 'event', {
    'x-fc-invocation-type': 'Async',
    'x-fc-stateful-async-invocation-id': 'mine',
  });
  assert.equal(accepted.status, 202, accepted.body.toString());
  assert.equal(accepted.headers['x-fc-stateful-async-invocation-id'], 'mine');
  const requestId = accepted.headers['x-fc-request-id'] ?? '';
  assert.equal(app.events.asyncEnqueued, 1, 'the worker is told at once');

  const stored = await app.store.asyncQueue.getAsync(requestId);
  assert.equal(stored?.status, 'Enqueued');
  assert.equal(stored?.qualifier, 'LATEST');
  assert.equal(stored?.payload.toString(), 'event');

  const record = await app.send('GET', `/services/svc/functions/fn/stateful-async-invocations/${requestId}`);
  assert.equal(record.status, 200, record.body.toString());
  assert.equal(record.json().status, 'Enqueued');
  assert.equal(record.json().invocationId, 'mine', 'the caller named it');
  assert.equal(record.json().requestId, requestId);
  assert.equal(record.json().functionName, 'fn');

  const viaLatest = await app.send(
    'POST',
    '/services/svc.LATEST/functions/fn/invocations?qualifier=LATEST',
    'e',
    {
      'x-fc-invocation-type': 'async',
    },
  );
  assert.equal(viaLatest.status, 202);
});

test('async: FC limits and not-found answers, and nothing is queued', async (t) => {
  const app = await withFunction(t);
  const async = { 'x-fc-invocation-type': 'Async' };
  assertFcError(
    await app.send('POST', INVOKE, Buffer.alloc(128 * 1024 + 1), async),
    'EntityTooLarge',
    400,
    /payload size exceeds maximum allowed size \(131072 bytes\)/,
  );
  assert.equal(
    (await app.send('POST', INVOKE, Buffer.alloc(128 * 1024), async)).status,
    202,
    'the limit itself is fine',
  );
  assertFcError(
    await app.send('POST', INVOKE, 'x', { 'x-fc-invocation-type': 'Later' }),
    'InvalidArgument',
    400,
    /Sync or Async/,
  );
  assertFcError(
    await app.send('POST', '/services/svc/functions/nope/invocations', 'x', async),
    'FunctionNotFound',
    404,
  );
  assertFcError(
    await app.send('POST', '/services/nope/functions/fn/invocations', 'x', async),
    'ServiceNotFound',
    404,
  );
  assertFcError(
    await app.send('POST', '/services/svc.1/functions/fn/invocations', 'x', async),
    'VersionNotFound',
    404,
  );
  assertFcError(
    await app.send('POST', '/services/svc.prod/functions/fn/invocations', 'x', async),
    'AliasNotFound',
    404,
  );
  assertFcError(await app.send('POST', `${INVOKE}?qualifier=prod`, 'x', async), 'AliasNotFound', 404);
  assertFcError(
    await app.send('POST', '/services/svc.1/functions/fn/invocations?qualifier=2', 'x', async),
    'InvalidArgument',
    400,
    /qualifier/,
  );
  assert.equal(app.events.asyncEnqueued, 1, 'only the call within the limit was queued');
  assertFcError(
    await app.send('GET', '/services/svc/functions/fn/stateful-async-invocations/nope'),
    'AsyncTaskNotFound',
    404,
  );
});

test('sync calls that cannot name a function are refused before any instance is involved', async (t) => {
  const app = await withFunction(t);
  assertFcError(
    await app.send('POST', '/services/svc/functions/nope/invocations', 'x'),
    'FunctionNotFound',
    404,
  );
  assertFcError(
    await app.send('POST', '/services/svc.prod/functions/fn/invocations', 'x'),
    'AliasNotFound',
    404,
  );
  assertFcError(await app.send('POST', INVOKE, Buffer.alloc(6 * 1024 * 1024 + 1)), 'EntityTooLarge', 400);
});
