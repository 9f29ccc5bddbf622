import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc64Ecma } from '../../src/code/index.js';
import { assertFcError, buildTestApp, type TestApp } from '../helpers/app.js';
import { zipFiles } from '../helpers/code.js';

const BOOTSTRAP = '#!/bin/sh\nexec python3 -m http.server "$FC_SERVER_PORT"\n';

async function withService(app: TestApp): Promise<string> {
  assert.equal((await app.send('POST', '/services', { serviceName: 'svc' })).status, 200);
  return zipFiles({ bootstrap: BOOTSTRAP, 'lib/util.txt': 'data' });
}

test('createFunction stores the code and answers with FC defaults, code size and CRC-64, without `code`', async (t) => {
  const app = await buildTestApp(t);
  const zipFile = await withService(app);
  const created = await app.send('POST', '/services/svc/functions', {
    functionName: 'fn',
    runtime: 'custom',
    handler: 'index.handler',
    memorySize: 256,
    timeout: 30,
    environmentVariables: { GREETING: 'hi' },
    code: { zipFile },
  });
  assert.equal(created.status, 200, created.body.toString());
  const fn = created.json();
  const zip = Buffer.from(zipFile, 'base64');
  assert.equal(fn.functionName, 'fn');
  assert.equal(fn.memorySize, 256);
  assert.equal(fn.timeout, 30);
  assert.equal(fn.codeSize, zip.length);
  assert.equal(fn.codeChecksum, crc64Ecma(zip));
  assert.equal(fn.instanceConcurrency, 1);
  assert.equal(fn.initializationTimeout, 3);
  assert.equal(fn.caPort, 9000);
  assert.deepEqual(fn.layers, []);
  assert.equal('code' in fn, false);
  assert.equal('serviceName' in fn, false);
  assert.ok(fn.functionId && fn.lastModifiedTime);
  assert.ok(created.headers.etag);

  const got = await app.send('GET', '/services/svc/functions/fn');
  assert.deepEqual(got.json(), fn);
  assert.equal(got.headers.etag, created.headers.etag);
  assert.deepEqual((got.json().environmentVariables as Record<string, string>).GREETING, 'hi');
  assert.deepEqual(app.events.functionsChanged, [], 'a new function retires nothing');
});

test('updateFunction merges fields, keeps the code, retires instances; If-Match guards it', async (t) => {
  const app = await buildTestApp(t);
  const zipFile = await withService(app);
  const body = { functionName: 'fn', runtime: 'custom', memorySize: 256, code: { zipFile } };
  const created = await app.send('POST', '/services/svc/functions', body);

  const updated = await app.send('PUT', '/services/svc/functions/fn', {
    timeout: 60,
    description: 'changed',
  });
  assert.equal(updated.status, 200, updated.body.toString());
  assert.equal(updated.json().timeout, 60);
  assert.equal(updated.json().description, 'changed');
  assert.equal(updated.json().memorySize, 256, 'fields not given keep their value');
  assert.equal(updated.json().codeChecksum, created.json().codeChecksum);
  assert.equal(updated.json().createdTime, created.json().createdTime);
  assert.deepEqual(app.events.functionsChanged, ['svc/fn']);

  const stale = { 'if-match': created.headers.etag ?? '' };
  assertFcError(
    await app.send('PUT', '/services/svc/functions/fn', { timeout: 9 }, stale),
    'PreconditionFailed',
    412,
  );
  assert.equal(
    (await app.send('GET', '/services/svc/functions/fn')).json().timeout,
    60,
    'the 412 changed nothing',
  );
  assert.deepEqual(app.events.functionsChanged, ['svc/fn'], 'a refused update retires nothing');

  const newCode = await zipFiles({ bootstrap: '#!/bin/sh\n# v2\n' });
  const fresh = { 'if-match': updated.headers.etag ?? '' };
  const recoded = await app.send('PUT', '/services/svc/functions/fn', { code: { zipFile: newCode } }, fresh);
  assert.equal(recoded.status, 200, recoded.body.toString());
  assert.equal(recoded.json().codeChecksum, crc64Ecma(Buffer.from(newCode, 'base64')));

  assertFcError(await app.send('PUT', '/services/svc/functions/nope', {}), 'FunctionNotFound', 404);
  assertFcError(await app.send('PUT', '/services/svc.prod/functions/fn', {}), 'AliasNotFound', 404);
});

test('listFunctions pages by limit, nextToken, prefix and startKey', async (t) => {
  const app = await buildTestApp(t);
  const zipFile = await withService(app);
  for (const name of ['fn', 'fn2', 'fn3', 'other']) {
    const created = await app.send('POST', '/services/svc/functions', {
      functionName: name,
      runtime: 'custom',
      code: { zipFile },
    });
    assert.equal(created.status, 200);
  }
  const names = (r: { json(): Record<string, unknown> }) =>
    (r.json().functions as { functionName: string }[]).map((f) => f.functionName);
  const first = await app.send('GET', '/services/svc/functions?limit=2');
  assert.deepEqual(names(first), ['fn', 'fn2']);
  const token = first.json().nextToken as string;
  assert.ok(token);
  const rest = await app.send('GET', `/services/svc/functions?nextToken=${token}`);
  assert.deepEqual(names(rest), ['fn3', 'other']);
  assert.equal(rest.json().nextToken, undefined);
  assert.deepEqual(names(await app.send('GET', '/services/svc/functions?prefix=fn&startKey=fn2')), [
    'fn2',
    'fn3',
  ]);
  assert.equal('code' in ((rest.json().functions as object[])[0] ?? {}), false);
  assertFcError(await app.send('GET', '/services/nope/functions'), 'ServiceNotFound', 404);
  assertFcError(await app.send('GET', '/services/svc.1/functions'), 'VersionNotFound', 404);
});

test('deleteFunction: If-Match, then gone with its triggers; its instances retire', async (t) => {
  const app = await buildTestApp(t);
  const zipFile = await withService(app);
  const created = await app.send('POST', '/services/svc/functions', {
    functionName: 'fn',
    runtime: 'custom',
    code: { zipFile },
  });
  const trigger = {
    triggerName: 'web',
    triggerType: 'http',
    triggerConfig: { authType: 'anonymous', methods: ['GET'] },
  };
  assert.equal((await app.send('POST', '/services/svc/functions/fn/triggers', trigger)).status, 200);

  assertFcError(
    await app.send('DELETE', '/services/svc/functions/fn', undefined, { 'if-match': 'stale' }),
    'PreconditionFailed',
    412,
  );
  const deleted = await app.send('DELETE', '/services/svc/functions/fn', undefined, {
    'if-match': created.headers.etag ?? '',
  });
  assert.equal(deleted.status, 204);
  assert.deepEqual(app.events.functionsChanged, ['svc/fn']);
  assertFcError(await app.send('GET', '/services/svc/functions/fn'), 'FunctionNotFound', 404);
  assert.equal(await app.store.httpTrigger('svc', 'fn'), undefined, 'its HTTP trigger went with it');
  assertFcError(await app.send('DELETE', '/services/svc/functions/fn'), 'FunctionNotFound', 404);
});

test('JSON keys are matched case-insensitively and bodies are JSON whatever the content-type', async (t) => {
  const app = await buildTestApp(t);
  const zipFile = await withService(app);
  const body = JSON.stringify({
    FunctionName: 'fn',
    Runtime: 'custom',
    Handler: 'index.handler',
    MemorySize: '512',
    CAPort: 8080,
    EnvironmentVariables: { lower_case_Key: 'kept as given' },
    CustomRuntimeConfig: { Command: ['python3'], Args: ['-m', 'http.server', '8080'] },
    InstanceLifecycleConfig: { PreStop: { Handler: 'index.stop', Timeout: 3 } },
    Code: { ZipFile: zipFile },
  });
  const response = await app.send('POST', '/services/svc/functions', body, {
    'content-type': 'application/octet-stream',
  });
  assert.equal(response.status, 200, response.body.toString());
  const fn = response.json();
  assert.equal(fn.memorySize, 512);
  assert.equal(fn.caPort, 8080);
  assert.deepEqual(fn.customRuntimeConfig, { command: ['python3'], args: ['-m', 'http.server', '8080'] });
  assert.deepEqual(
    fn.environmentVariables,
    { lower_case_Key: 'kept as given' },
    'record keys are not renamed',
  );
  assert.deepEqual(fn.instanceLifecycleConfig, { preStop: { handler: 'index.stop', timeout: 3 } });

  const services = await app.send('POST', '/services', '{"ServiceName":"svc2","Description":"d"}');
  assert.equal(services.json().serviceName, 'svc2');
  assert.equal(services.json().description, 'd');
});

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
    [{ layers: ['arn:x'] }, /not a layer ARN/],
    [{ layers: Array(6).fill('acs:fc:cn-hangzhou:1:layers/x/versions/1') }, /at most 5 layers/],
    [{ code: undefined }, /code is required/],
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
