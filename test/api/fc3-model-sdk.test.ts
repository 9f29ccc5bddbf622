import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { zipFiles } from '../helpers/code.js';
import { fc3, fc3Client, readAll, rejectsFc3 } from '../helpers/fc3.js';
import { startTestServer } from '../helpers/server.js';

const nodeCode = (prefix: string) => ({
  'index.js': `exports.handler = (event, context, callback) => callback(null, '${prefix}:' + event);\n`,
});

const invoke = (event: string, qualifier?: string) =>
  new fc3.InvokeFunctionRequest({ body: Readable.from([Buffer.from(event)]), qualifier });

// One model behind both faces: FC 2.0's functions in FC 3.0 as `service$function` (the `fcVersion` filter,
// get and invoke), FC 3.0's functions in FC 2.0, and the rules that keep each function with one FC 3.0 name.
test('FC 2.0 (@alicloud/fc2) and FC 3.0 (@alicloud/fc20230330) see one model', async (t) => {
  const { server, fc } = await startTestServer(t);
  const client = fc3Client(server.url);
  await client.createFunction(
    new fc3.CreateFunctionRequest({
      body: new fc3.CreateFunctionInput({
        functionName: 'node3',
        runtime: 'nodejs20',
        handler: 'index.handler',
        code: new fc3.InputCodeLocation({ zipFile: await zipFiles(nodeCode('node')) }),
      }),
    }),
  );

  await fc.createService('s2');
  await fc.createFunction('s2', {
    functionName: 'f2',
    runtime: 'nodejs20',
    handler: 'index.handler',
    code: { zipFile: await zipFiles(nodeCode('two')) },
  });
  const v2 = (await client.listFunctions(new fc3.ListFunctionsRequest({ fcVersion: 'v2' }))).body;
  assert.deepEqual(
    v2?.functions?.map((f: fc3.Function) => f.functionName),
    ['s2$f2'],
  );
  const v3 = (await client.listFunctions(new fc3.ListFunctionsRequest({ fcVersion: 'v3' }))).body;
  assert.ok(v3?.functions?.some((f: fc3.Function) => f.functionName === 'node3'));
  assert.ok(!v3?.functions?.some((f: fc3.Function) => f.functionName?.includes('$')));
  const answer = await client.invokeFunction('s2$f2', invoke('x'));
  assert.equal(await readAll(answer.body), 'two:x');
  const got = (await client.getFunction('s2$f2', new fc3.GetFunctionRequest({}))).body;
  assert.equal(got?.functionName, 's2$f2');

  // FC 3.0's function is its service's only function: FC 2.0 cannot add a second one FC 3.0 would never show.
  await assert.rejects(
    fc.createFunction('node3', {
      functionName: 'extra',
      runtime: 'nodejs20',
      handler: 'index.handler',
      code: { zipFile: await zipFiles(nodeCode('x')) },
    }),
    /holds the FC 3\.0 function 'node3' and nothing else/,
  );
  // FC 2.0 deleting an FC 3.0 function frees its name for FC 3.0 again.
  await client.createFunction(
    new fc3.CreateFunctionRequest({
      body: new fc3.CreateFunctionInput({
        functionName: 'gone3',
        runtime: 'nodejs20',
        handler: 'index.handler',
        code: new fc3.InputCodeLocation({ zipFile: await zipFiles(nodeCode('g')) }),
      }),
    }),
  );
  await fc.deleteFunction('gone3', 'gone3');
  await rejectsFc3(client.getFunction('gone3', new fc3.GetFunctionRequest({})), 'FunctionNotFound', 404);
  const again = await client.createFunction(
    new fc3.CreateFunctionRequest({
      body: new fc3.CreateFunctionInput({
        functionName: 'gone3',
        runtime: 'nodejs20',
        handler: 'index.handler',
        code: new fc3.InputCodeLocation({ zipFile: await zipFiles(nodeCode('g')) }),
      }),
    }),
  );
  assert.equal(again.body?.functionName, 'gone3');
  const seen = await fc.getFunction('node3', 'node3');
  assert.equal(seen.data.runtime, 'nodejs20');
  const service = await fc.getService('node3');
  assert.equal('fcVersion' in service.data, false);

  await rejectsFc3(
    client.createFunction(
      new fc3.CreateFunctionRequest({
        body: new fc3.CreateFunctionInput({
          functionName: 's2',
          runtime: 'nodejs20',
          handler: 'index.handler',
        }),
      }),
    ),
    'FunctionAlreadyExists',
    409,
    /FC 2\.0 service 's2'/,
  );
});
