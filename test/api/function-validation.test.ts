import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertFcError, buildTestApp } from '../helpers/app.js';
import { zipFiles } from '../helpers/code.js';

const BOOTSTRAP = '#!/bin/sh\nexec python3 -m http.server "$FC_SERVER_PORT"\n';

test('each invalid function field is a 400 InvalidArgument naming it, and nothing is half-made', async (t) => {
  const app = await buildTestApp(t);
  const zipFile = await zipFiles({ bootstrap: BOOTSTRAP });
  const fn = (over: Record<string, unknown>) => ({
    functionName: 'fn',
    runtime: 'custom',
    handler: 'index.handler',
    code: { zipFile },
    ...over,
  });
  const create = (body: unknown) => app.send('POST', '/services/svc/functions', body as object);

  assertFcError(await create(fn({})), 'ServiceNotFound', 404, /svc/);
  assert.equal((await app.send('POST', '/services', { serviceName: 'svc' })).status, 200);

  const cases: [Record<string, unknown>, RegExp][] = [
    [{ functionName: '1starts-with-a-digit' }, /functionName/],
    [{ memorySize: 100 }, /memorySize/],
    [{ memorySize: 4096 }, /memorySize must be between 128 and 3072/],
    [{ memorySize: 200 }, /multiple of 64/],
    [{ memorySize: 'lots' }, /memorySize must be an integer/],
    [{ timeout: 0 }, /timeout/],
    [{ timeout: 601 }, /timeout/],
    [{ initializationTimeout: 301 }, /initializationTimeout/],
    [{ instanceConcurrency: 101 }, /instanceConcurrency/],
    [{ caPort: 70000 }, /caPort/],
    [{ runtime: 'cobol85' }, /Runtime is set to an invalid value/],
    [{ runtime: undefined }, /runtime is required/],
    [{ runtime: 'nodejs20', handler: 'index' }, /handler|nodejs20/],
    [{ runtime: 'nodejs20', handler: undefined }, /handler is required/],
    [{ environmentVariables: { BIG: 'x'.repeat(5000) } }, /environmentVariables/],
    [{ environmentVariables: { '1BAD': 'x' } }, /environmentVariables/],
    [{ layers: ['acs:fc:cn-hangzhou:1:layers/x/versions/1'] }, /layers are not supported/],
    [{ code: undefined }, /code is required/],
    [{ runtime: 'custom-container' }, /customContainerConfig.image is required/],
    [{ description: 'x'.repeat(257) }, /description/],
  ];
  for (const [over, pattern] of cases) {
    assertFcError(await create(fn(over)), 'InvalidArgument', 400, pattern);
  }
  assertFcError(
    await app.send('POST', '/services/svc/functions', 'not json'),
    'InvalidArgument',
    400,
    /JSON/,
  );
  assertFcError(
    await app.send('POST', '/services/svc/functions', '[1, 2]'),
    'InvalidArgument',
    400,
    /object/,
  );

  assert.equal((await create(fn({}))).status, 200);
  assertFcError(await create(fn({})), 'FunctionAlreadyExists', 409, /fn/);
  assertFcError(await app.send('GET', '/services/svc/functions/missing'), 'FunctionNotFound', 404, /missing/);

  const listed = await app.send('GET', '/services/svc/functions');
  assert.deepEqual(
    (listed.json().functions as { functionName: string }[]).map((f) => f.functionName),
    ['fn'],
    'the failed creates left no function behind',
  );
});

test('an update is checked as a whole after merging: a bad change leaves the function as it was', async (t) => {
  const app = await buildTestApp(t);
  const zipFile = await zipFiles({ bootstrap: BOOTSTRAP });
  await app.send('POST', '/services', { serviceName: 'svc' });
  const created = await app.send('POST', '/services/svc/functions', {
    functionName: 'fn',
    runtime: 'custom',
    code: { zipFile },
  });
  const update = (body: object) => app.send('PUT', '/services/svc/functions/fn', body);
  assertFcError(await update({ runtime: 'nodejs20' }), 'InvalidArgument', 400, /handler is required/);
  assertFcError(
    await update({ runtime: 'cobol85' }),
    'InvalidArgument',
    400,
    /Runtime is set to an invalid value/,
  );
  assertFcError(await update({ memorySize: 129 }), 'InvalidArgument', 400, /memorySize/);
  assertFcError(await update({ code: { zipFile: 'not base64 !!' } }), 'InvalidArgument', 400, /base64/);
  const after = await app.send('GET', '/services/svc/functions/fn');
  assert.deepEqual(after.json(), created.json());
  assert.equal(after.headers.etag, created.headers.etag);
  assert.deepEqual(app.events.functionsChanged, [], 'no refused update retired instances');
});
