import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc64Ecma } from '../../src/code/index.js';
import { FcError } from '../../src/model/index.js';
import { zipFiles } from '../helpers/code.js';
import { controlHarness, customFunction, errorCode } from '../helpers/control.js';

const KEY = { serviceName: 'svc', functionName: 'fn' };

test('create applies FC defaults, stores the code, and passes the full record to checkFunction first', async (t) => {
  const h = controlHarness(t, { now: () => '2026-01-02T03:04:05.000Z' });
  await h.control.services.create({ serviceName: 'svc' });
  const body = await customFunction('fn');
  const created = await h.control.functions.create({ serviceName: 'svc' }, body);
  const fn = created.value;
  assert.equal(fn.serviceName, 'svc');
  assert.equal(fn.memorySize, 128);
  assert.equal(fn.timeout, 3);
  assert.equal(fn.instanceConcurrency, 1);
  assert.equal(fn.caPort, 9000);
  assert.deepEqual(fn.environmentVariables, {});
  assert.equal(fn.createdTime, '2026-01-02T03:04:05.000Z');
  const zip = Buffer.from(body.code.zipFile, 'base64');
  assert.deepEqual(fn.code, { sha256: fn.code?.sha256, codeSize: zip.length, codeChecksum: crc64Ecma(zip) });
  assert.deepEqual(h.checked, [fn]);
  assert.deepEqual(h.events, [], 'creating retires nothing');
  assert.deepEqual((await h.store.getFunction('svc', 'fn'))?.value, fn);
});

test('a refusal from checkRuntime or checkFunction stores nothing and retires nothing', async (t) => {
  const h = controlHarness(t, {
    checkRuntime: (runtime) => {
      if (runtime === 'custom.debian11') throw new FcError('InvalidArgument', 'not here');
    },
    checkFunction: async (fn) => {
      if (fn.memorySize > 1024) throw new FcError('InvalidArgument', 'image too big for this memory');
    },
  });
  await h.control.services.create({ serviceName: 'svc' });
  const create = async (over: Record<string, unknown>) =>
    errorCode(h.control.functions.create({ serviceName: 'svc' }, await customFunction('fn', over)));
  assert.equal(await create({ runtime: 'custom.debian11' }), 'InvalidArgument');
  assert.equal(await create({ memorySize: 2048 }), 'InvalidArgument');
  assert.equal(await h.store.getFunction('svc', 'fn'), undefined);

  await h.control.functions.create({ serviceName: 'svc' }, await customFunction('fn'));
  assert.equal(await errorCode(h.control.functions.update(KEY, { memorySize: 2048 })), 'InvalidArgument');
  assert.equal(
    await errorCode(h.control.functions.update(KEY, { runtime: 'custom.debian11' })),
    'InvalidArgument',
  );
  assert.equal((await h.store.getFunction('svc', 'fn'))?.value.memorySize, 128);
  assert.deepEqual(h.events, []);
});

test('update merges onto the stored function, checks the merged record, then retires old instances', async (t) => {
  const h = controlHarness(t);
  await h.control.services.create({ serviceName: 'svc' });
  const created = await h.control.functions.create(
    { serviceName: 'svc' },
    await customFunction('fn', { memorySize: 256 }),
  );
  const updated = await h.control.functions.update(KEY, { timeout: 60 }, { ifMatch: created.etag });
  assert.equal(updated.value.timeout, 60);
  assert.equal(updated.value.memorySize, 256);
  assert.deepEqual(updated.value.code, created.value.code);
  assert.equal(h.checked.at(-1)?.timeout, 60, 'checkFunction saw the merged record');
  assert.deepEqual(h.events, ['function svc/fn']);
  assert.equal(
    await errorCode(h.control.functions.update(KEY, { timeout: 5 }, { ifMatch: created.etag })),
    'PreconditionFailed',
  );
  assert.deepEqual(h.events, ['function svc/fn'], 'a refused update retires nothing');
});

test('the caller-computed code checksum must match; the stored package is unchanged otherwise', async (t) => {
  const h = controlHarness(t);
  await h.control.services.create({ serviceName: 'svc' });
  const body = await customFunction('fn');
  const checksum = crc64Ecma(Buffer.from(body.code.zipFile, 'base64'));
  assert.equal(
    await errorCode(h.control.functions.create({ serviceName: 'svc' }, body, { codeChecksum: '1' })),
    'InvalidArgument',
  );
  const created = await h.control.functions.create({ serviceName: 'svc' }, body, { codeChecksum: checksum });
  assert.equal(created.value.code?.codeChecksum, checksum);
  const zipFile = await zipFiles({ bootstrap: '#!/bin/sh\necho v2\n' });
  assert.equal(
    await errorCode(h.control.functions.update(KEY, { code: { zipFile } }, { codeChecksum: checksum })),
    'InvalidArgument',
  );
  assert.deepEqual((await h.store.getFunction('svc', 'fn'))?.value.code, created.value.code);
});

test('writes through a version or alias are refused; LATEST is the writable function', async (t) => {
  const h = controlHarness(t);
  await h.control.services.create({ serviceName: 'svc' });
  assert.equal(
    await errorCode(
      h.control.functions.create({ serviceName: 'svc', qualifier: 'prod' }, await customFunction('fn')),
    ),
    'AliasNotFound',
  );
  await h.control.functions.create({ serviceName: 'svc', qualifier: 'LATEST' }, await customFunction('fn'));
  assert.equal(
    await errorCode(h.control.functions.update({ ...KEY, qualifier: '1' }, {})),
    'VersionNotFound',
  );
  assert.equal(await errorCode(h.control.functions.delete({ ...KEY, qualifier: 'prod' })), 'AliasNotFound');
  assert.ok(await h.store.getFunction('svc', 'fn'), 'the refused delete kept the function');
  await h.control.functions.delete({ ...KEY, qualifier: 'LATEST' });
  assert.equal(await h.store.getFunction('svc', 'fn'), undefined);
  assert.deepEqual(h.events, ['function svc/fn']);
});

test('list checks the page before it reads, and names a missing service', async (t) => {
  const h = controlHarness(t);
  assert.equal(await errorCode(h.control.functions.list('nope', { limit: 0 })), 'InvalidArgument');
  assert.equal(await errorCode(h.control.functions.list('nope', {})), 'ServiceNotFound');
  await h.control.services.create({ serviceName: 'svc' });
  for (const name of ['a', 'b', 'c']) {
    await h.control.functions.create({ serviceName: 'svc' }, await customFunction(name));
  }
  const page = await h.control.functions.list('svc', { limit: 2 });
  assert.deepEqual(
    page.items.map((f) => f.value.functionName),
    ['a', 'b'],
  );
  const rest = await h.control.functions.list('svc', { nextToken: page.nextToken });
  assert.deepEqual(
    rest.items.map((f) => f.value.functionName),
    ['c'],
  );
});
