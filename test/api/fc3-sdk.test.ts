import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { request } from 'undici';
import { crc64Ecma } from '../../src/code/index.js';
import { zipFiles } from '../helpers/code.js';
import { fc3, fc3Client, readAll, rejectsFc3, runtimeOptions } from '../helpers/fc3.js';
import { until } from '../helpers/poll.js';
import { ACCOUNT_ID, startTestServer } from '../helpers/server.js';

/** A custom runtime: `/invoke` answers `custom:<event>`, anything else (an HTTP trigger) echoes the request. */
const CUSTOM_BOOTSTRAP = `#!/usr/bin/env node
require('node:http').createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    if (req.url === '/invoke') { console.log('custom saw ' + body); res.end('custom:' + body); return; }
    res.setHeader('content-type', 'text/plain');
    res.end('http:' + req.method + ':' + body);
  });
}).listen(process.env.FC_SERVER_PORT);
`;

const nodeCode = (prefix: string) => ({
  'index.js': `exports.init = (context, callback) => callback(null, '');
exports.handler = (event, context, callback) => { console.log('hello from ${prefix}'); callback(null, '${prefix}:' + event); };
`,
});

const invoke = (event: string, qualifier?: string) =>
  new fc3.InvokeFunctionRequest({ body: Readable.from([Buffer.from(event)]), qualifier });

// End to end on a real port with the official FC 3.0 SDK (@alicloud/fc20230330): the calls a new FC 3.0 user
// makes (refusals: fc3-errors-sdk.test.ts; FC 2.0 interplay: fc3-model-sdk.test.ts).
test('the @alicloud/fc20230330 SDK against a real server', async (t) => {
  const { server, fc } = await startTestServer(t);
  const client = fc3Client(server.url);

  await t.test(
    'createFunction (custom runtime and nodejs20) and getFunction return FC 3.0 fields',
    async () => {
      const zip = await zipFiles({ bootstrap: CUSTOM_BOOTSTRAP });
      const created = await client.createFunction(
        new fc3.CreateFunctionRequest({
          body: new fc3.CreateFunctionInput({
            functionName: 'custom3',
            runtime: 'custom.debian10',
            handler: 'index.handler',
            memorySize: 512,
            timeout: 30,
            cpu: 0.35,
            diskSize: 512,
            customRuntimeConfig: new fc3.CustomRuntimeConfig({ command: ['./bootstrap'], port: 9000 }),
            logConfig: new fc3.LogConfig({ project: 'p', logstore: 's', enableRequestMetrics: true }),
            code: new fc3.InputCodeLocation({
              zipFile: zip,
              checksum: crc64Ecma(Buffer.from(zip, 'base64')),
            }),
          }),
        }),
      );
      const fn = created.body as fc3.Function;
      assert.equal(fn.functionName, 'custom3');
      assert.equal(fn.functionArn, `acs:fc:local:${ACCOUNT_ID}:functions/custom3`);
      assert.equal(fn.cpu, 0.35);
      assert.equal(fn.customRuntimeConfig?.port, 9000);
      assert.deepEqual(fn.customRuntimeConfig?.command, ['./bootstrap']);
      assert.equal(fn.codeChecksum, crc64Ecma(Buffer.from(zip, 'base64')));
      assert.equal(fn.logConfig?.logstore, 's');

      const nodeZip = await zipFiles(nodeCode('node'));
      await client.createFunction(
        new fc3.CreateFunctionRequest({
          body: new fc3.CreateFunctionInput({
            functionName: 'node3',
            runtime: 'nodejs20',
            handler: 'index.handler',
            instanceLifecycleConfig: new fc3.InstanceLifecycleConfig({
              initializer: new fc3.LifecycleHook({ handler: 'index.init', timeout: 5 }),
            }),
            code: new fc3.InputCodeLocation({ zipFile: nodeZip }),
          }),
        }),
      );
      const got = (await client.getFunction('node3', new fc3.GetFunctionRequest({}))).body as fc3.Function;
      assert.equal(got.runtime, 'nodejs20');
      assert.equal(got.instanceLifecycleConfig?.initializer?.handler, 'index.init');
      assert.equal(got.instanceLifecycleConfig?.initializer?.timeout, 5);
      assert.equal(got.codeChecksum, crc64Ecma(Buffer.from(nodeZip, 'base64')));
      assert.ok(got.functionArn?.endsWith(':functions/node3'));
      await rejectsFc3(
        client.getFunction('missing3', new fc3.GetFunctionRequest({})),
        'FunctionNotFound',
        404,
      );
    },
  );

  await t.test(
    'a code package larger than a management body goes through createFunction and updateFunction',
    async () => {
      const big = await zipFiles({ ...nodeCode('big'), 'noise.bin': randomBytes(600_000) });
      const created = await client.createFunction(
        new fc3.CreateFunctionRequest({
          body: new fc3.CreateFunctionInput({
            functionName: 'big3',
            runtime: 'nodejs20',
            handler: 'index.handler',
            code: new fc3.InputCodeLocation({ zipFile: big }),
          }),
        }),
      );
      assert.equal(created.body?.codeSize, Buffer.from(big, 'base64').length);
      await client.updateFunction(
        'big3',
        new fc3.UpdateFunctionRequest({
          body: new fc3.UpdateFunctionInput({ code: new fc3.InputCodeLocation({ zipFile: big }) }),
        }),
      );
      await client.deleteFunction('big3');
    },
  );

  await t.test('listFunctions with prefix and pagination', async () => {
    const zipFile = await zipFiles(nodeCode('l'));
    for (const name of ['lst-a', 'lst-b', 'lst-c']) {
      await client.createFunction(
        new fc3.CreateFunctionRequest({
          body: new fc3.CreateFunctionInput({
            functionName: name,
            runtime: 'nodejs20',
            handler: 'index.handler',
            code: new fc3.InputCodeLocation({ zipFile }),
          }),
        }),
      );
    }
    const page1 = (await client.listFunctions(new fc3.ListFunctionsRequest({ prefix: 'lst-', limit: 2 })))
      .body;
    assert.deepEqual(
      page1?.functions?.map((f: fc3.Function) => f.functionName),
      ['lst-a', 'lst-b'],
    );
    assert.ok(page1?.nextToken);
    const page2 = (
      await client.listFunctions(
        new fc3.ListFunctionsRequest({ prefix: 'lst-', limit: 2, nextToken: page1?.nextToken }),
      )
    ).body;
    assert.deepEqual(
      page2?.functions?.map((f: fc3.Function) => f.functionName),
      ['lst-c'],
    );
    assert.equal(page2?.nextToken, undefined);
  });

  await t.test('updateFunction changes function and function-level (service) fields', async () => {
    const updated = await client.updateFunction(
      'custom3',
      new fc3.UpdateFunctionRequest({
        body: new fc3.UpdateFunctionInput({
          description: 'changed',
          memorySize: 1024,
          logConfig: new fc3.LogConfig({ project: 'p2', logstore: 's2' }),
        }),
      }),
    );
    assert.equal(updated.body?.description, 'changed');
    const got = (await client.getFunction('custom3', new fc3.GetFunctionRequest({}))).body;
    assert.equal(got?.memorySize, 1024);
    assert.equal(got?.logConfig?.project, 'p2');
    assert.equal(got?.customRuntimeConfig?.port, 9000);
  });

  await t.test('invokeFunction: sync with log tail, and async', async () => {
    const custom = await client.invokeFunctionWithOptions(
      'custom3',
      invoke('ping'),
      new fc3.InvokeFunctionHeaders({ xFcLogType: 'Tail' }),
      runtimeOptions(),
    );
    assert.equal(custom.statusCode, 200);
    assert.equal(await readAll(custom.body), 'custom:ping');
    const log = Buffer.from(custom.headers?.['x-fc-log-result'] ?? '', 'base64').toString();
    assert.match(log, /custom saw ping/);

    const node = await client.invokeFunctionWithOptions(
      'node3',
      invoke('hi'),
      new fc3.InvokeFunctionHeaders({ xFcLogType: 'Tail' }),
      runtimeOptions(),
    );
    assert.equal(await readAll(node.body), 'node:hi');
    assert.match(
      Buffer.from(node.headers?.['x-fc-log-result'] ?? '', 'base64').toString(),
      /hello from node/,
    );

    const queued = await client.invokeFunctionWithOptions(
      'node3',
      invoke('later'),
      new fc3.InvokeFunctionHeaders({ xFcInvocationType: 'Async', xFcAsyncTaskId: 'task-1' }),
      runtimeOptions(),
    );
    assert.equal(queued.statusCode, 202);
    assert.equal(queued.headers?.['x-fc-async-task-id'], 'task-1');
    // The FC 2.0 face shows the same task: the call ran.
    await until(
      async () =>
        (await client.getAsyncTask('node3', 'task-1', new fc3.GetAsyncTaskRequest({}))).body?.status ===
        'Succeeded',
      { what: 'the async task succeeded', timeoutMs: 60_000 },
    );
  });

  await t.test('createTrigger (http) with triggerConfig as a JSON string, then an HTTP call', async () => {
    const created = await client.createTrigger(
      'custom3',
      new fc3.CreateTriggerRequest({
        body: new fc3.CreateTriggerInput({
          triggerName: 'web',
          triggerType: 'http',
          triggerConfig: JSON.stringify({ authType: 'anonymous', methods: ['GET', 'POST'] }),
        }),
      }),
    );
    const trigger = created.body as fc3.Trigger;
    assert.equal(typeof trigger.triggerConfig, 'string');
    assert.deepEqual(JSON.parse(trigger.triggerConfig ?? '').methods, ['GET', 'POST']);
    const url = trigger.httpTrigger?.urlInternet ?? '';
    assert.ok(url.startsWith(server.url), url);
    const answer = await request(url, { method: 'POST', body: 'over http' });
    assert.equal(answer.statusCode, 200);
    assert.equal(await answer.body.text(), 'http:POST:over http');
  });

  await t.test('publishFunctionVersion + createAlias + invoke with qualifier', async () => {
    const version = await client.publishFunctionVersion(
      'node3',
      new fc3.PublishFunctionVersionRequest({ body: new fc3.PublishVersionInput({ description: 'v1' }) }),
    );
    const versionId = version.body?.versionId ?? '';
    assert.equal(versionId, '1');
    await client.updateFunction(
      'node3',
      new fc3.UpdateFunctionRequest({
        body: new fc3.UpdateFunctionInput({
          code: new fc3.InputCodeLocation({ zipFile: await zipFiles(nodeCode('new')) }),
        }),
      }),
    );
    const alias = await client.createAlias(
      'node3',
      new fc3.CreateAliasRequest({ body: new fc3.CreateAliasInput({ aliasName: 'prod', versionId }) }),
    );
    assert.equal(alias.body?.versionId, '1');
    const viaAlias = await client.invokeFunction('node3', invoke('a', 'prod'));
    assert.equal(await readAll(viaAlias.body), 'node:a');
    const latest = await client.invokeFunction('node3', invoke('b'));
    assert.equal(await readAll(latest.body), 'new:b');
  });

  await t.test('deleteFunction', async () => {
    await client.deleteFunction('custom3');
    await rejectsFc3(client.getFunction('custom3', new fc3.GetFunctionRequest({})), 'FunctionNotFound', 404);
    const left = (await client.listFunctions(new fc3.ListFunctionsRequest({ prefix: 'custom' }))).body;
    assert.deepEqual(left?.functions, []);
    // Its service (Kumo's model) went with it.
    await assert.rejects(fc.getService('custom3'), /ServiceNotFound/);
  });
});
