import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
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

test('services: create, get, list with pagination, update with etag, delete', async (t) => {
  const { fc } = await startTestServer(t);
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

test('functions: create with a zip, get, list, get code, update, delete', async (t) => {
  const { fc } = await startTestServer(t);
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

test('JSON keys are matched case-insensitively and bodies are JSON whatever the content-type', async (t) => {
  const { fc, client } = await startTestServer(t);
  await fc.createService('svc');
  const zipFile = await zipFiles({ bootstrap: BOOTSTRAP });
  const body = JSON.stringify({
    FunctionName: 'fn',
    Runtime: 'custom',
    Handler: 'index.handler',
    MemorySize: '512',
    CAPort: 8080,
    CustomRuntimeConfig: { Command: ['python3'], Args: ['-m', 'http.server', '8080'] },
    Code: { ZipFile: zipFile },
  });
  const response = await client.send('POST', '/services/svc/functions', body, {
    'content-type': 'application/octet-stream',
  });
  assert.equal(response.status, 200, response.body.toString());
  const fn = JSON.parse(response.body.toString());
  assert.equal(fn.memorySize, 512);
  assert.equal(fn.caPort, 8080);
  assert.deepEqual(fn.customRuntimeConfig, { command: ['python3'], args: ['-m', 'http.server', '8080'] });
});

test('bad input: each error the SDK surfaces', async (t) => {
  const { fc, server } = await startTestServer(t, { maxZipBytes: 64 * 1024 });
  const zipFile = await zipFiles({ bootstrap: BOOTSTRAP });
  const fn = (over: Record<string, unknown>) => ({
    functionName: 'fn',
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
  await fc.createService('svc');
  await rejectsWith(fc.createService('svc'), 'ServiceAlreadyExists', 409);
  await rejectsWith(fc.createService('bad name!'), 'InvalidArgument', 400, /serviceName/);
  await rejectsWith(fc.createFunction('svc', fn({ memorySize: 100 })), 'InvalidArgument', 400, /memorySize/);
  await rejectsWith(
    fc.createFunction('svc', fn({ memorySize: 200 })),
    'InvalidArgument',
    400,
    /multiple of 64/,
  );
  await rejectsWith(fc.createFunction('svc', fn({ timeout: 601 })), 'InvalidArgument', 400, /timeout/);
  await rejectsWith(
    fc.createFunction('svc', fn({ instanceConcurrency: 101 })),
    'InvalidArgument',
    400,
    /instanceConcurrency/,
  );
  await rejectsWith(
    fc.createFunction('svc', fn({ runtime: 'cobol85' })),
    'InvalidArgument',
    400,
    /Runtime is set to an invalid value/,
  );
  await rejectsWith(
    fc.createFunction('svc', fn({ runtime: 'nodejs20', handler: 'index' })),
    'InvalidArgument',
    400,
    /handler|nodejs20/,
  );
  await rejectsWith(
    fc.createFunction('svc', fn({ environmentVariables: { BIG: 'x'.repeat(5000) } })),
    'InvalidArgument',
    400,
    /environmentVariables/,
  );
  await rejectsWith(
    fc.createFunction('svc', fn({ code: { zipFile: 'not base64 !!' } })),
    'InvalidArgument',
    400,
    /base64/,
  );
  await rejectsWith(
    fc.createFunction('svc', fn({ code: { zipFile: Buffer.from('not a zip').toString('base64') } })),
    'InvalidArgument',
    400,
    /zip/,
  );
  await rejectsWith(
    fc.createFunction('svc', fn({ code: { zipFile: zipSlip() } })),
    'InvalidArgument',
    400,
    /\.\.\/evil/,
  );
  const big = await zipFiles({ bootstrap: BOOTSTRAP, 'random.bin': randomBytes(200 * 1024) });
  await rejectsWith(fc.createFunction('svc', fn({ code: { zipFile: big } })), 'EntityTooLarge', 400);

  await fc.createFunction('svc', fn({}));
  await rejectsWith(fc.createFunction('svc', fn({})), 'FunctionAlreadyExists', 409);
  await rejectsWith(fc.deleteService('svc'), 'ServiceNotEmpty', 409);
  await rejectsWith(fc.getFunction('svc', 'missing'), 'FunctionNotFound', 404);

  // Nothing half-made: the failed creates left no function behind.
  const listed = await fc.listFunctions('svc');
  assert.deepEqual(
    listed.data.functions.map((f) => f.functionName),
    ['fn'],
  );
});

test('everything survives a restart on the same data dir', async (t) => {
  const first = await startTestServer(t);
  await first.fc.createService('kept', { description: 'still here' });
  const zipFile = await zipFiles({ bootstrap: BOOTSTRAP });
  await first.fc.createFunction('kept', {
    functionName: 'fn',
    runtime: 'custom',
    handler: 'a.b',
    code: { zipFile },
  });
  await first.fc.createFunction('kept', {
    functionName: 'old',
    runtime: 'custom',
    handler: 'a.b',
    code: { zipFile: await zipFiles({ bootstrap: '#!/bin/sh\n# replaced\n' }) },
  });
  await first.fc.deleteFunction('kept', 'old');
  const before = await first.fc.getFunction('kept', 'fn');
  const zips = () => readdirSync(join(first.dataDir, 'code', 'zips')).filter((f) => f.endsWith('.zip'));
  assert.equal(zips().length, 2);
  await first.server.close();

  const second = await startTestServer(t, {}, first.dataDir);
  assert.equal(zips().length, 1, 'the package no function uses was removed at start');
  const service = await second.fc.getService('kept');
  assert.equal(service.data.description, 'still here');
  const after = await second.fc.getFunction('kept', 'fn');
  assert.deepEqual(after.data, before.data);
  const code = await second.fc.getFunctionCode('kept', 'fn');
  const download = await request(code.data.url);
  assert.deepEqual(Buffer.from(await download.body.arrayBuffer()), Buffer.from(zipFile, 'base64'));
});

function randomBytes(n: number): Buffer {
  const buf = Buffer.alloc(n);
  for (let i = 0; i < n; i++) buf[i] = (i * 2654435761) >>> 24;
  return Buffer.from(buf.map(() => Math.floor(Math.random() * 256)));
}

/** A zip with one stored entry named `../evil`, written by hand (zip tools refuse to). */
function zipSlip(): string {
  const name = Buffer.from('../evil');
  const data = Buffer.from('owned');
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(name.length, 28);
  const localPart = Buffer.concat([local, name, data]);
  const centralPart = Buffer.concat([central, name]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralPart.length, 12);
  end.writeUInt32LE(localPart.length, 16);
  return Buffer.concat([localPart, centralPart, end]).toString('base64');
}

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
