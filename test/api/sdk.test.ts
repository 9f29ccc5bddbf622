import assert from 'node:assert/strict';
import { test } from 'node:test';
import { request } from 'undici';
import { crc64Ecma } from '../../src/code/index.js';
import { zipFiles } from '../helpers/code.js';
import { sdkClient, startTestServer } from '../helpers/server.js';

const BOOTSTRAP = '#!/bin/sh\nexec python3 -m http.server "$FC_SERVER_PORT"\n';

/** Asserts that `promise` rejects the way the fc2 SDK reports an FC error. */
async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  status: number,
  pattern?: RegExp,
): Promise<void> {
  await assert.rejects(promise, (error: Error & { code?: string }) => {
    assert.equal(error.name, `FC${code}Error`, error.message);
    assert.equal(error.code, code);
    assert.match(error.message, new RegExp(`failed with ${status}\\.`));
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

// End to end on a real port with the official @alicloud/fc2 SDK: one server, one behaviour per subtest. The
// in-process tests next to this file cover each rule; these prove the SDK sends and reads what Kumo answers.
test('the @alicloud/fc2 SDK against a real server', async (t) => {
  const { fc, server } = await startTestServer(t);

  await t.test('services: create, get, list with pagination, update with etag, delete', async () => {
    const created = await fc.createService('svc-a', { description: 'first' });
    assert.equal(created.data.serviceName, 'svc-a');
    assert.equal(created.data.description, 'first');
    assert.ok(created.data.serviceId);
    assert.ok(created.data.createdTime);
    assert.ok(created.headers.etag);
    for (const name of ['svc-b', 'svc-c', 'other']) await fc.createService(name);

    const got = await fc.getService('svc-a');
    assert.equal(got.data.description, 'first');

    const page1 = await fc.listServices({ prefix: 'svc', limit: 2 });
    assert.deepEqual(
      page1.data.services.map((s) => s.serviceName),
      ['svc-a', 'svc-b'],
    );
    assert.ok(page1.data.nextToken);
    const page2 = await fc.listServices({ prefix: 'svc', limit: 2, nextToken: page1.data.nextToken });
    assert.deepEqual(
      page2.data.services.map((s) => s.serviceName),
      ['svc-c'],
    );
    assert.equal(page2.data.nextToken, undefined);
    const fromKey = await fc.listServices({ startKey: 'svc-b' });
    assert.deepEqual(
      fromKey.data.services.map((s) => s.serviceName),
      ['svc-b', 'svc-c'],
    );

    const updated = await fc.updateService(
      'svc-a',
      { description: 'second' },
      { 'if-match': got.headers.etag },
    );
    assert.equal(updated.data.description, 'second');
    assert.equal(updated.data.createdTime, created.data.createdTime);
    await rejectsWith(
      fc.updateService('svc-a', { description: 'x' }, { 'if-match': got.headers.etag }),
      'PreconditionFailed',
      412,
    );

    await fc.deleteService('svc-a');
    await rejectsWith(fc.getService('svc-a'), 'ServiceNotFound', 404, /svc-a/);
  });

  await t.test('functions: create with a zip, get, list, get and download code, update, delete', async () => {
    await fc.createService('svc');
    const zipFile = await zipFiles({ bootstrap: BOOTSTRAP, 'lib/util.txt': 'data' });
    const created = await fc.createFunction('svc', {
      functionName: 'fn',
      runtime: 'custom',
      handler: 'index.handler',
      memorySize: 256,
      timeout: 30,
      environmentVariables: { GREETING: 'hi' },
      code: { zipFile },
    });
    const zip = Buffer.from(zipFile, 'base64');
    assert.equal(created.data.functionName, 'fn');
    assert.equal(created.data.memorySize, 256);
    assert.equal(created.data.codeSize, zip.length);
    assert.equal(created.data.codeChecksum, crc64Ecma(zip));
    assert.equal(created.data.instanceConcurrency, 1);
    assert.equal(created.data.initializationTimeout, 3);
    assert.equal(created.data.caPort, 9000);
    assert.equal('code' in created.data, false);
    assert.ok(created.data.functionId && created.data.lastModifiedTime);

    const got = await fc.getFunction('svc', 'fn');
    assert.deepEqual((got.data.environmentVariables as Record<string, string>).GREETING, 'hi');

    for (const name of ['fn2', 'fn3']) {
      await fc.createFunction('svc', {
        functionName: name,
        runtime: 'custom',
        handler: 'x.y',
        code: { zipFile },
      });
    }
    const listed = await fc.listFunctions('svc', { limit: 2 });
    assert.deepEqual(
      listed.data.functions.map((f) => f.functionName),
      ['fn', 'fn2'],
    );
    const rest = await fc.listFunctions('svc', { nextToken: listed.data.nextToken });
    assert.deepEqual(
      rest.data.functions.map((f) => f.functionName),
      ['fn3'],
    );

    const code = await fc.getFunctionCode('svc', 'fn');
    assert.equal(code.data.checksum, created.data.codeChecksum);
    assert.ok(code.data.url.includes(`:${server.port}/`), 'the download URL names the real port');
    const download = await request(code.data.url);
    assert.equal(download.statusCode, 200);
    assert.deepEqual(Buffer.from(await download.body.arrayBuffer()), zip);
    const tampered = await request(code.data.url.replace(/signature=./, 'signature=x'));
    assert.equal(tampered.statusCode, 403);
    await tampered.body.dump();

    const updated = await fc.updateFunction('svc', 'fn', { timeout: 60, description: 'changed' });
    assert.equal(updated.data.timeout, 60);
    assert.equal(updated.data.memorySize, 256, 'fields not given keep their value');
    assert.equal(updated.data.codeChecksum, created.data.codeChecksum);

    await fc.deleteFunction('svc', 'fn');
    await rejectsWith(fc.getFunction('svc', 'fn'), 'FunctionNotFound', 404);
  });

  await t.test('bad input: each kind of error as the SDK surfaces it', async () => {
    const zipFile = await zipFiles({ bootstrap: BOOTSTRAP });
    const fn = (over: Record<string, unknown>) => ({
      functionName: 'bad',
      runtime: 'custom',
      handler: 'index.handler',
      code: { zipFile },
      ...over,
    });
    await rejectsWith(
      sdkClient(server.url, 'KUMOTESTKEY', 'wrong-secret').listServices(),
      'SignatureNotMatch',
      403,
    );
    await rejectsWith(
      sdkClient(server.url, 'NOSUCHKEY', 'x').listServices(),
      'InvalidAccessKeyID',
      403,
      /NOSUCHKEY/,
    );
    await rejectsWith(fc.createFunction('nope', fn({})), 'ServiceNotFound', 404, /nope/);
    await rejectsWith(fc.createService('svc'), 'ServiceAlreadyExists', 409);
    await rejectsWith(fc.createService('bad name!'), 'InvalidArgument', 400, /serviceName/);
    await rejectsWith(
      fc.createFunction('svc', fn({ memorySize: 200 })),
      'InvalidArgument',
      400,
      /multiple of 64/,
    );
    await rejectsWith(
      fc.createFunction('svc', fn({ runtime: 'cobol85' })),
      'InvalidArgument',
      400,
      /Runtime is set to an invalid value/,
    );
    await rejectsWith(
      fc.createFunction('svc', fn({ code: { zipFile: 'not base64 !!' } })),
      'InvalidArgument',
      400,
      /base64/,
    );
    await rejectsWith(fc.createFunction('svc', fn({ functionName: 'fn2' })), 'FunctionAlreadyExists', 409);
    await rejectsWith(fc.deleteService('svc'), 'ServiceNotEmpty', 409);
    await rejectsWith(fc.getFunction('svc', 'missing'), 'FunctionNotFound', 404);
    await rejectsWith(fc.getFunction('svc', 'fn2', {}, 'prod'), 'AliasNotFound', 404);
    const listed = await fc.listFunctions('svc');
    assert.deepEqual(
      listed.data.functions.map((f) => f.functionName),
      ['fn2', 'fn3'],
      'nothing half-made',
    );
  });
});
