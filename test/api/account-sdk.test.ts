import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zipFiles } from '../helpers/code.js';
import { ACCOUNT_ID, sdkClient, startTestServer } from '../helpers/server.js';

type FcErr = Error & { code?: string };

// Tags, account calls, the large-code path and FC's auth wording, end to end through the real fc2 SDK.
test('fc2 account calls against a real server', async (t) => {
  const { fc, server } = await startTestServer(t);
  const arn = `acs:fc:local:${ACCOUNT_ID}:services/tagged`;
  await fc.createService('tagged');

  await t.test('tags: tag, read, untag some, untag all; they go with the service', async () => {
    assert.equal((await fc.tagResource(arn, { team: 'core', env: 'dev' })).data, '');
    await fc.tagResource('services/tagged', { env: 'prod', empty: '' });
    const read = await fc.getResourceTags({ resourceArn: arn });
    assert.deepEqual(read.data, { resourceArn: arn, tags: { empty: '', env: 'prod', team: 'core' } });
    await fc.untagResource(arn, ['env', 'missing']);
    assert.deepEqual((await fc.getResourceTags({ resourceArn: arn })).data.tags, { empty: '', team: 'core' });
    await fc.untagResource(arn, [], true);
    assert.deepEqual((await fc.getResourceTags({ resourceArn: arn })).data.tags, {});

    await fc.tagResource(arn, { left: 'behind' });
    await fc.deleteService('tagged');
    await fc.createService('tagged');
    assert.deepEqual((await fc.getResourceTags({ resourceArn: arn })).data.tags, {});
  });

  await t.test('listServices filters by tags (every one given must match)', async () => {
    for (const name of ['t-a', 't-b', 't-c']) await fc.createService(name);
    await fc.tagResource('services/t-a', { team: 'core', env: 'dev' });
    await fc.tagResource('services/t-b', { team: 'core', env: 'prod' });
    await fc.tagResource('services/t-c', { team: 'web' });
    const names = async (options: Record<string, unknown>) =>
      (await fc.listServices(options)).data.services.map((s) => s.serviceName);
    assert.deepEqual(await names({ tags: { team: 'core' } }), ['t-a', 't-b']);
    assert.deepEqual(await names({ tags: { team: 'core', env: 'prod' } }), ['t-b']);
    assert.deepEqual(await names({ tags: { team: 'none' } }), []);
    const first = await fc.listServices({ tags: { team: 'core' }, limit: 1 });
    assert.deepEqual(await names({ tags: { team: 'core' }, nextToken: first.data.nextToken }), ['t-b']);
    for (const name of ['t-a', 't-b', 't-c']) await fc.deleteService(name);
  });

  await t.test("tags: FC's limits and rules", async () => {
    const refused = async (promise: Promise<unknown>, code: string, pattern: RegExp) =>
      assert.rejects(promise, (error: FcErr) => {
        assert.equal(error.code, code, error.message);
        assert.match(error.message, pattern);
        return true;
      });
    const twenty = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'v']));
    await fc.tagResource(arn, twenty);
    await refused(fc.tagResource(arn, { one: 'more' }), 'InvalidArgument', /at most 20 tags/);
    assert.equal(Object.keys((await fc.getResourceTags({ resourceArn: arn })).data.tags).length, 20);
    await fc.untagResource(arn, [], true);
    await refused(fc.tagResource(arn, { aliyun_x: 'v' }), 'InvalidArgument', /cannot start with 'aliyun'/);
    await refused(fc.tagResource(arn, { 'acs:x': 'v' }), 'InvalidArgument', /acs:/);
    await refused(fc.tagResource(arn, { k: 'see https://x' }), 'InvalidArgument', /https/);
    await refused(fc.tagResource(arn, { ['k'.repeat(129)]: 'v' }), 'InvalidArgument', /128/);
    await refused(fc.tagResource(arn, {}), 'InvalidArgument', /at least 1 tag/);
    await refused(fc.untagResource(arn, []), 'InvalidArgument', /all: true/);
    await refused(
      fc.tagResource('services/nope', { k: 'v' }),
      'ServiceNotFound',
      /service 'nope' does not exist/,
    );
    await refused(
      fc.tagResource('acs:fc:r:999:services/tagged', { k: 'v' }),
      'AccessDenied',
      /another account/,
    );
    await refused(fc.tagResource('functions/x', { k: 'v' }), 'InvalidArgument', /resourceArn/);
    assert.deepEqual((await fc.getResourceTags({ resourceArn: arn })).data.tags, {});
  });

  await t.test('reserved capacities and account configs in FC shapes', async () => {
    assert.deepEqual((await fc.listReservedCapacities({ limit: 10 })).data, { reservedCapacities: [] });
    const configs = await fc.getAccountConfigs({ config: ['CodeSizeLimit'] });
    assert.deepEqual(configs.data, { CodeSizeLimit: 50 * 1024 * 1024 });
  });

  await t.test('withoutCodeLimit: an FC error naming the alternatives, not PathNotSupported', async () => {
    const code = { zipFile: await zipFiles({ 'index.js': 'exports.handler = (e, c, cb) => cb(null, 1);' }) };
    const body = { functionName: 'big', runtime: 'nodejs20', handler: 'index.handler', code };
    await assert.rejects(fc.createFunction('tagged', { ...body, withoutCodeLimit: true }), (error: FcErr) => {
      assert.equal(error.code, 'NotSupported');
      assert.match(error.message, /failed with 400/);
      assert.match(error.message, /Alibaba Cloud OSS/);
      assert.match(error.message, /code\.zipFile up to 50 MB zipped/);
      assert.match(error.message, /kumo deploy/);
      return true;
    });
    await assert.rejects(fc.getTempCodeBucketPermission('tagged', 'big'), { code: 'NotSupported' });
    await assert.rejects(
      fc.listFunctions('tagged').then(() => fc.getFunction('tagged', 'big')),
      {
        code: 'FunctionNotFound',
      },
    );
  });

  await t.test("FC's exact wording for an unknown key and a bad signature", async () => {
    await assert.rejects(sdkClient(server.url, 'nope', 'x').listServices(), (error: FcErr) => {
      assert.equal(error.code, 'InvalidAccessKeyID');
      assert.match(error.message, /message: invalid access key ID 'nope'\.\./);
      return true;
    });
    await assert.rejects(sdkClient(server.url, undefined, 'wrong-secret').listServices(), (error: FcErr) => {
      assert.equal(error.code, 'SignatureNotMatch');
      assert.ok(
        error.message.includes(
          'message: The request signature we calculated does not match the signature you provided. Check your access key and signing method.',
        ),
        error.message,
      );
      return true;
    });
  });

  await t.test('a custom domain without routes, routes added later', async () => {
    const created = await fc.createCustomDomain('bare.example.com');
    assert.deepEqual(created.data.routeConfig, { routes: [] });
    const route = { path: '/*', serviceName: 'tagged', functionName: 'fn' };
    await fc.updateCustomDomain('bare.example.com', { routeConfig: { routes: [route] } });
    const got = await fc.getCustomDomain('bare.example.com');
    assert.deepEqual(got.data.routeConfig, { routes: [route] });
  });
});
