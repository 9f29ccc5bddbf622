import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type FC from '@alicloud/fc2';
import { request } from 'undici';
import { crc64Ecma } from '../../src/code/index.js';
import { rawZip, S_IFLNK } from '../code/zip-helpers.js';
import { zipFiles } from '../helpers/code.js';
import { ACCOUNT_ID, startTestServer } from '../helpers/server.js';

type Json = Record<string, unknown>;

/** Asserts that `promise` rejects the way the fc2 SDK reports an FC error. */
async function rejectsWith(promise: Promise<unknown>, code: string, status: number, pattern?: RegExp) {
  await assert.rejects(promise, (error: Error & { code?: string }) => {
    assert.equal(error.code, code, error.message);
    assert.match(error.message, new RegExp(`failed with ${status}\\.`));
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

const arnOf = (name: string, version: number, account = ACCOUNT_ID, region = 'local') =>
  `acs:fc:${region}:${account}:layers/${name}/versions/${version}`;

async function publish(fc: FC, name: string, files: Record<string, string> = { 'x.txt': name }) {
  const zipFile = await zipFiles(files);
  const { data } = await fc.publishLayerVersion(name, {
    code: { zipFile },
    compatibleRuntime: ['nodejs20', 'python3.10'],
    description: `layer ${name}`,
  });
  return { data, zip: Buffer.from(zipFile, 'base64') };
}

test('every layer call of the fc2 SDK: answers, paging, ACL, deletion', async (t) => {
  const { fc } = await startTestServer(t);

  const first = await publish(fc, 'deps', { 'nodejs/node_modules/m/index.js': 'module.exports = 1;' });
  assert.deepEqual(Object.keys(first.data).sort(), [
    'acl',
    'arn',
    'arnV2',
    'code',
    'codeChecksum',
    'codeSize',
    'compatibleRuntime',
    'createTime',
    'description',
    'layerName',
    'layerVersionArn',
    'version',
  ]);
  assert.equal(first.data.layerName, 'deps');
  assert.equal(first.data.version, 1);
  assert.equal(first.data.acl, 0);
  assert.equal(first.data.description, 'layer deps');
  assert.deepEqual(first.data.compatibleRuntime, ['nodejs20', 'python3.10']);
  assert.equal(first.data.codeSize, first.zip.length);
  assert.equal(first.data.codeChecksum, crc64Ecma(first.zip));
  assert.equal(first.data.arnV2, arnOf('deps', 1));
  assert.ok(!Number.isNaN(Date.parse(first.data.createTime as string)));
  // code.location downloads the very zip that was published.
  const location = (first.data.code as Json).location as string;
  const download = await request(location);
  assert.equal(download.statusCode, 200);
  assert.deepEqual(Buffer.from(await download.body.arrayBuffer()), first.zip);

  const second = await publish(fc, 'deps');
  assert.equal(second.data.version, 2);
  assert.deepEqual((await fc.getLayerVersion('deps', 1)).data.codeChecksum, first.data.codeChecksum);
  const byArn = await fc.getLayerVersionByArn(arnOf('deps', 2));
  assert.equal(byArn.data.version, 2);
  assert.equal(byArn.data.codeChecksum, second.data.codeChecksum);

  // listLayerVersions pages by version number.
  const page1 = await fc.listLayerVersions('deps', { limit: 1 });
  assert.deepEqual(
    page1.data.layers.map((l) => l.version),
    [1],
  );
  assert.equal(page1.data.nextVersion, 2);
  const page2 = await fc.listLayerVersions('deps', { limit: 1, startVersion: page1.data.nextVersion });
  assert.deepEqual(
    page2.data.layers.map((l) => l.version),
    [2],
  );
  assert.equal(page2.data.nextVersion, undefined);

  // listLayers: one entry per layer (its newest version), by name, with prefix and nextToken.
  for (const name of ['alpha', 'beta', 'gamma']) await publish(fc, name);
  const listed: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await fc.listLayers({ limit: 2, ...(nextToken && { nextToken }) });
    assert.ok(page.data.layers.length <= 2);
    listed.push(...page.data.layers.map((l) => `${l.layerName}@${l.version}`));
    nextToken = page.data.nextToken;
  } while (nextToken);
  assert.deepEqual(listed, ['alpha@1', 'beta@1', 'deps@2', 'gamma@1']);
  const prefixed = await fc.listLayers({ prefix: 'g' });
  assert.deepEqual(
    prefixed.data.layers.map((l) => l.layerName),
    ['gamma'],
  );
  assert.deepEqual((await fc.listLayers({ official: true })).data.layers, []);

  // putLayerACL: public=true shows in public listings and in every version's acl; false undoes it.
  await fc.putLayerACL('deps', { public: true });
  assert.equal((await fc.getLayerVersion('deps', 1)).data.acl, 1);
  assert.deepEqual(
    (await fc.listLayers({ public: true })).data.layers.map((l) => l.layerName),
    ['deps'],
  );
  await fc.putLayerACL('deps', { public: false });
  assert.equal((await fc.getLayerVersion('deps', 2)).data.acl, 0);
  assert.deepEqual((await fc.listLayers({ public: true })).data.layers, []);
  await rejectsWith(fc.putLayerACL('nope', { public: true }), 'LayerNotFound', 404);

  // Deleting a version hides it; numbers are never reused.
  await fc.deleteLayerVersion('deps', 1);
  await rejectsWith(fc.getLayerVersion('deps', 1), 'LayerNotFound', 404, /deps/);
  await rejectsWith(fc.getLayerVersionByArn(arnOf('deps', 1)), 'LayerNotFound', 404);
  await rejectsWith(fc.deleteLayerVersion('deps', 1), 'LayerNotFound', 404);
  assert.deepEqual(
    (await fc.listLayerVersions('deps')).data.layers.map((l) => l.version),
    [2],
  );
  assert.equal((await publish(fc, 'deps')).data.version, 3);
  await fc.deleteLayerVersion('alpha', 1);
  assert.ok(!(await fc.listLayers()).data.layers.some((l) => l.layerName === 'alpha'));
  await rejectsWith(fc.listLayerVersions('alpha'), 'LayerNotFound', 404);
});

test('bad layers and bad references: clear FC errors, nothing created', async (t) => {
  const { fc, client } = await startTestServer(t, { maxZipBytes: 64 * 1024 });
  const hostile: Array<[string, Buffer, RegExp]> = [
    ['escape', rawZip([{ name: '../evil.txt', data: 'x' }]), /escapes the code directory/],
    ['absolute', rawZip([{ name: '/etc/evil', data: 'x' }]), /absolute path/],
    ['linkout', rawZip([{ name: 'nodejs/l', data: '../../etc/passwd', mode: S_IFLNK | 0o777 }]), /symlink/],
  ];
  for (const [name, zip, pattern] of hostile) {
    await rejectsWith(
      fc.publishLayerVersion(name, { code: { zipFile: zip.toString('base64') } }),
      'InvalidArgument',
      400,
      pattern,
    );
    await rejectsWith(fc.listLayerVersions(name), 'LayerNotFound', 404);
  }
  // Over FC's size limit for a zipped package (64 KB on this server): EntityTooLarge.
  const huge = await zipFiles({ 'python/blob.bin': randomBytes(100 * 1024).toString('base64') });
  await rejectsWith(fc.publishLayerVersion('huge', { code: { zipFile: huge } }), 'EntityTooLarge', 400);
  assert.deepEqual((await fc.listLayers()).data.layers, []);
  const zipFile = await zipFiles({ 'a.txt': 'a' });
  await rejectsWith(
    fc.publishLayerVersion('1bad', { code: { zipFile } }),
    'InvalidArgument',
    400,
    /layer name/,
  );
  await rejectsWith(fc.publishLayerVersion('nocode', { code: {} }), 'InvalidArgument', 400, /zipFile/);
  await rejectsWith(
    fc.publishLayerVersion('oss', { code: { ossBucketName: 'b', ossObjectName: 'k' } }),
    'InvalidArgument',
    400,
  );

  const good = (await fc.publishLayerVersion('good', { code: { zipFile } })).data;
  await rejectsWith(fc.getLayerVersionByArn(arnOf('good', 9)), 'LayerNotFound', 404);
  await rejectsWith(
    fc.getLayerVersionByArn(arnOf('good', 1, '999999')),
    'LayerNotFound',
    404,
    /account 999999/,
  );
  await rejectsWith(
    fc.getLayerVersionByArn(arnOf('good', 1, ACCOUNT_ID, 'cn-x')),
    'LayerNotFound',
    404,
    /region/,
  );
  for (const trick of [
    `acs:fc:local:${ACCOUNT_ID}:layers/../good/versions/1`,
    `acs:fc:local:${ACCOUNT_ID}:layers/good/versions/1/../2`,
    `acs:fc:local:${ACCOUNT_ID}:layers/good/versions/01`,
    'good',
  ]) {
    await rejectsWith(fc.getLayerVersionByArn(trick), 'InvalidArgument', 400);
  }
  // The ARN segment's encoding is allowed only as that one segment, never to reach another route.
  for (const path of [
    `/layerarn/${encodeURIComponent('../../services')}`,
    `/layerarn/${encodeURIComponent(arnOf('good', 1))}/../../services`,
    `/layerarn/${encodeURIComponent(arnOf('good', 1))}/x`,
    `/layer%61rn/${encodeURIComponent(arnOf('good', 1))}`,
  ]) {
    const answer = await client.send('GET', path);
    assert.ok([400, 403, 404].includes(answer.status), `${path}: ${answer.status}`);
    assert.ok(!answer.body.toString().includes('"layerName"'), path);
  }

  // A function naming a missing layer, another account's, or too many: refused, the function not created.
  await fc.createService('svc');
  const fn = (layers: string[], extra: Json = {}) => ({
    functionName: 'fn',
    runtime: 'nodejs20',
    handler: 'index.handler',
    code: { zipFile },
    layers,
    ...extra,
  });
  await rejectsWith(fc.createFunction('svc', fn([arnOf('missing', 1)])), 'LayerNotFound', 404, /missing/);
  await rejectsWith(fc.createFunction('svc', fn([arnOf('good', 1, '999999')])), 'LayerNotFound', 404);
  await rejectsWith(
    fc.createFunction('svc', fn(Array(6).fill(good.arnV2))),
    'InvalidArgument',
    400,
    /at most 5/,
  );
  await rejectsWith(
    fc.createFunction('svc', fn([good.arnV2 as string, good.arnV2 as string])),
    'InvalidArgument',
    400,
  );
  await rejectsWith(fc.createFunction('svc', fn(['not-an-arn'])), 'InvalidArgument', 400, /not a layer ARN/);
  await rejectsWith(fc.getFunction('svc', 'fn'), 'FunctionNotFound', 404);

  // A valid reference is kept, shown as layers and layersArnV2; a deleted version cannot be newly added.
  const created = await fc.createFunction('svc', fn([good.arnV2 as string]));
  assert.deepEqual(created.data.layers, [good.arnV2]);
  assert.deepEqual(created.data.layersArnV2, [good.arnV2]);
  await fc.deleteLayerVersion('good', 1);
  // Already listed: an unrelated update still works; adding it to another function does not.
  await fc.updateFunction('svc', 'fn', { description: 'still fine' });
  await rejectsWith(
    fc.createFunction('svc', { ...fn([good.arnV2 as string]), functionName: 'fn2' }),
    'LayerNotFound',
    404,
  );
});
