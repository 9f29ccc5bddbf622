import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { request } from 'undici';
import { zipFiles } from '../helpers/code.js';
import { fc3, fc3Client, readAll, rejectsFc3, runtimeOptions } from '../helpers/fc3.js';
import { deployCustom, invoke, NODE_RUNTIME } from '../helpers/functions.js';
import { until } from '../helpers/poll.js';
import { startTestServer } from '../helpers/server.js';

const ECHO_BOOTSTRAP = `#!/usr/bin/env node
require('node:http').createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => res.end(req.url === '/invoke' ? 'event:' + Buffer.concat(chunks) : 'http:' + req.method + ':' + req.url));
}).listen(process.env.FC_SERVER_PORT);
`;

// The FC 3.0 resources beyond functions: configs with ?qualifier=, custom domains routed by functionName,
// layers, tags, async tasks, instances, and the FC 2.0 authorization rules applied to FC 3.0 routes.
test('FC 3.0 configs, custom domains, layers, tags and scoped keys through @alicloud/fc20230330', async (t) => {
  const { server, fc } = await startTestServer(t);
  const client = fc3Client(server.url);
  const create = async (functionName: string, extra: Partial<fc3.CreateFunctionInput> = {}) =>
    client.createFunction(
      new fc3.CreateFunctionRequest({
        body: new fc3.CreateFunctionInput({
          functionName,
          runtime: 'custom.debian10',
          handler: 'index.handler',
          code: new fc3.InputCodeLocation({ zipFile: await zipFiles({ bootstrap: ECHO_BOOTSTRAP }) }),
          ...extra,
        }),
      }),
    );
  await create('web3');

  await t.test(
    'async invoke config and provision config per qualifier, and their account-level lists',
    async () => {
      const put = await client.putAsyncInvokeConfig(
        'web3',
        new fc3.PutAsyncInvokeConfigRequest({
          body: new fc3.PutAsyncInvokeConfigInput({ maxAsyncRetryAttempts: 1, asyncTask: true }),
        }),
      );
      assert.equal(put.body?.maxAsyncRetryAttempts, 1);
      assert.equal(put.body?.asyncTask, true);
      const got = await client.getAsyncInvokeConfig('web3', new fc3.GetAsyncInvokeConfigRequest({}));
      assert.ok(got.body?.functionArn?.endsWith(':functions/web3'));
      const listed = await client.listAsyncInvokeConfigs(new fc3.ListAsyncInvokeConfigsRequest({}));
      assert.deepEqual(
        listed.body?.configs?.map((c) => c.functionArn?.split('/').at(-1)),
        ['web3'],
      );

      await client.publishFunctionVersion('web3', new fc3.PublishFunctionVersionRequest({ body: {} }));
      await client.createAlias(
        'web3',
        new fc3.CreateAliasRequest({ body: new fc3.CreateAliasInput({ aliasName: 'live', versionId: '1' }) }),
      );
      const provision = await client.putProvisionConfig(
        'web3',
        new fc3.PutProvisionConfigRequest({
          qualifier: 'live',
          body: new fc3.PutProvisionConfigInput({ target: 1 }),
        }),
      );
      assert.equal(provision.body?.target, 1);
      await until(
        async () =>
          (await client.getProvisionConfig('web3', new fc3.GetProvisionConfigRequest({ qualifier: 'live' })))
            .body?.current === 1,
        { what: 'the provisioned instance runs', timeoutMs: 60_000 },
      );
      const instances = await client.listInstances(
        'web3',
        new fc3.ListInstancesRequest({ qualifier: 'live' }),
      );
      assert.equal(instances.body?.instances?.length, 1);
      const all = await client.listProvisionConfigs(new fc3.ListProvisionConfigsRequest({}));
      assert.equal(all.body?.provisionConfigs?.length, 1);
      await client.deleteProvisionConfig('web3', new fc3.DeleteProvisionConfigRequest({ qualifier: 'live' }));
      const after = await client.listProvisionConfigs(new fc3.ListProvisionConfigsRequest({}));
      assert.deepEqual(after.body?.provisionConfigs, []);
      await rejectsFc3(
        client.getConcurrencyConfig('web3'),
        'NotSupported',
        400,
        /GetConcurrencyConfig .* not served/,
      );
    },
  );

  await t.test('a custom domain routes to an FC 3.0 function by functionName and qualifier', async () => {
    await client.createTrigger(
      'web3',
      new fc3.CreateTriggerRequest({
        body: new fc3.CreateTriggerInput({
          triggerName: 'web',
          triggerType: 'http',
          qualifier: 'live',
          triggerConfig: JSON.stringify({ authType: 'anonymous', methods: ['GET'] }),
        }),
      }),
    );
    const created = await client.createCustomDomain(
      new fc3.CreateCustomDomainRequest({
        body: new fc3.CreateCustomDomainInput({
          domainName: 'api.example.com',
          protocol: 'HTTP',
          routeConfig: new fc3.RouteConfig({
            routes: [new fc3.PathConfig({ path: '/*', functionName: 'web3', qualifier: 'live' })],
          }),
        }),
      }),
    );
    assert.equal(created.body?.routeConfig?.routes?.[0]?.functionName, 'web3');
    const answer = await request(`${server.url}/hello`, { headers: { host: 'api.example.com' } });
    assert.equal(await answer.body.text(), 'http:GET:/hello');
    const listed = await client.listCustomDomains(new fc3.ListCustomDomainsRequest({}));
    assert.equal(listed.body?.customDomains?.[0]?.domainName, 'api.example.com');
    await client.deleteCustomDomain('api.example.com');
  });

  await t.test('layers: publish, list, get, and use from a function', async () => {
    const layer = await client.createLayerVersion(
      'shared',
      new fc3.CreateLayerVersionRequest({
        body: new fc3.CreateLayerVersionInput({
          compatibleRuntime: ['custom.debian10'],
          code: new fc3.InputCodeLocation({
            zipFile: await zipFiles({ 'data/greeting.txt': 'from a layer' }),
          }),
        }),
      }),
    );
    assert.equal(layer.body?.version, 1);
    const arn = layer.body?.layerVersionArn ?? '';
    assert.match(arn, /^acs:fc:local:\d+:layers\/shared\/versions\/1$/);
    const listed = await client.listLayers(new fc3.ListLayersRequest({}));
    assert.deepEqual(
      listed.body?.layers?.map((l) => l.layerName),
      ['shared'],
    );
    await create('uses-layer', { layers: [arn] });
    const fn = await client.getFunction('uses-layer', new fc3.GetFunctionRequest({}));
    assert.equal(fn.body?.layers?.[0]?.arn, arn);
  });

  await t.test('tags-v2 on an FC 3.0 function', async () => {
    const arn = (await client.getFunction('web3', new fc3.GetFunctionRequest({}))).body?.functionArn ?? '';
    await client.tagResources(
      new fc3.TagResourcesRequest({
        body: new fc3.TagResourcesInput({
          resourceType: 'function',
          resourceId: [arn],
          tag: [new fc3.Tag({ key: 'team', value: 'blue' })],
        }),
      }),
    );
    const listed = await client.listTagResources(
      new fc3.ListTagResourcesRequest({ resourceType: 'function', resourceId: ['web3'] }),
    );
    assert.deepEqual(
      listed.body?.tagResources?.map((r) => [r.resourceId, r.tagKey, r.tagValue]),
      [['web3', 'team', 'blue']],
    );
    await client.untagResources(
      new fc3.UntagResourcesRequest({ resourceType: 'function', resourceId: ['web3'], tagKey: ['team'] }),
    );
    const none = await client.listTagResources(new fc3.ListTagResourcesRequest({ resourceId: ['web3'] }));
    assert.deepEqual(none.body?.tagResources, []);
  });

  await t.test('async tasks: listed and read by their id', async () => {
    await client.invokeFunctionWithOptions(
      'web3',
      new fc3.InvokeFunctionRequest({ body: Readable.from([Buffer.from('bg')]) }),
      new fc3.InvokeFunctionHeaders({ xFcInvocationType: 'Async', xFcAsyncTaskId: 'bg-1' }),
      runtimeOptions(),
    );
    const task = await until(
      async () => {
        const got = await client.getAsyncTask('web3', 'bg-1', new fc3.GetAsyncTaskRequest({}));
        return got.body?.status === 'Succeeded' ? got.body : undefined;
      },
      { what: 'the async task succeeded', timeoutMs: 60_000 },
    );
    assert.equal(task.returnPayload, 'event:bg');
    const listed = await client.listAsyncTasks('web3', new fc3.ListAsyncTasksRequest({}));
    assert.deepEqual(
      listed.body?.tasks?.map((x) => x.taskId),
      ['bg-1'],
    );
  });

  await t.test(
    "a function's temporary key reaches its own function through FC 3.0, and nothing else",
    async () => {
      await deployCustom(fc, 'alpha', 'fn', NODE_RUNTIME);
      const { headers } = JSON.parse((await invoke(fc, 'alpha', 'fn', 'headers')).body) as {
        headers: Record<string, string>;
      };
      const scoped = fc3Client(server.url, {
        accessKeyId: headers['X-Fc-Access-Key-Id'],
        accessKeySecret: headers['X-Fc-Access-Key-Secret'],
        securityToken: headers['X-Fc-Security-Token'],
      });
      const own = await scoped.getFunction('alpha$fn', new fc3.GetFunctionRequest({}));
      assert.equal(own.body?.functionName, 'alpha$fn');
      const call = await scoped.invokeFunction(
        'alpha$fn',
        new fc3.InvokeFunctionRequest({ body: Readable.from([Buffer.from('x')]) }),
      );
      assert.equal(await readAll(call.body), 'echo:x');
      await rejectsFc3(scoped.getFunction('web3', new fc3.GetFunctionRequest({})), 'AccessDenied', 403);
      await rejectsFc3(
        scoped.invokeFunction(
          'web3',
          new fc3.InvokeFunctionRequest({ body: Readable.from([Buffer.from('x')]) }),
        ),
        'AccessDenied',
        403,
      );
      await rejectsFc3(scoped.listFunctions(new fc3.ListFunctionsRequest({})), 'AccessDenied', 403);
      await rejectsFc3(scoped.deleteFunction('alpha$fn'), 'AccessDenied', 403);
      await rejectsFc3(
        scoped.updateFunction(
          'alpha$fn',
          new fc3.UpdateFunctionRequest({ body: new fc3.UpdateFunctionInput({ description: 'owned' }) }),
        ),
        'AccessDenied',
        403,
      );
      await rejectsFc3(scoped.listCustomDomains(new fc3.ListCustomDomainsRequest({})), 'AccessDenied', 403);
    },
  );
});
