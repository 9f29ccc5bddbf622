import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALWAYS_FAILS, arn, type DestinationRecord, finished } from '../helpers/async.js';
import { deployCustom, NODE_RUNTIME } from '../helpers/functions.js';
import { ACCOUNT_ID, startTestServer } from '../helpers/server.js';

test('onFailure: a function that always fails, retried once, sends one record with the payload and the error; onSuccess likewise', async (t) => {
  const { fc } = await startTestServer(t, { asyncRetryBaseMs: 50 });
  await deployCustom(fc, 'svc', 'fails', ALWAYS_FAILS);
  await deployCustom(fc, 'svc', 'works', NODE_RUNTIME);
  await deployCustom(fc, 'svc', 'sink', NODE_RUNTIME);

  const put = await fc.putFunctionAsyncConfig('svc', 'fails', 'LATEST', {
    maxAsyncRetryAttempts: 1,
    destinationConfig: { onFailure: { destination: arn('svc', 'sink') } },
  });
  assert.equal(put.data.service, 'svc');
  assert.equal(put.data.function, 'fails');
  assert.equal(put.data.qualifier, 'LATEST');
  assert.equal(put.data.maxAsyncRetryAttempts, 1);
  assert.deepEqual(put.data.destinationConfig, { onFailure: { destination: arn('svc', 'sink') } });
  const got = await fc.getFunctionAsyncConfig('svc', 'fails', 'LATEST');
  assert.deepEqual(got.data, put.data);

  const accepted = await fc.invokeFunction('svc', 'fails', '{"order":42}', {
    'x-fc-invocation-type': 'Async',
  });
  const requestId = accepted.headers['x-fc-request-id'] as string;
  const [original] = await finished(fc, 'svc', 'fails', 1);
  assert.equal(original?.status, 'Failed');
  assert.equal(original?.attempts, 2, 'the first attempt and one retry');

  // The delivery is queued with the end of the original, in one transaction: once the original has ended, the sink's
  // one invocation exists; it is the only one.
  const [delivered] = await finished(fc, 'svc', 'sink', 1);
  assert.equal(delivered?.status, 'Succeeded');
  const record = JSON.parse(delivered?.invocationPayload ?? '') as DestinationRecord;
  assert.equal(record.requestContext.requestId, requestId);
  assert.equal(record.requestContext.functionArn, arn('svc', 'fails'));
  assert.equal(record.requestContext.condition, 'UnhandledInvocationError');
  assert.equal(record.requestContext.approximateInvokeCount, 2);
  assert.equal(record.requestPayload, '{"order":42}');
  assert.equal(record.responseContext.functionError, 'UnhandledInvocationError');
  assert.deepEqual(JSON.parse(record.responsePayload), { errorMessage: 'always fails', errorType: 'Boom' });
  assert.equal(typeof record.timestamp, 'number');
  assert.match(
    delivered?.returnPayload ?? '',
    /^echo:\{"timestamp"/,
    'the sink function ran with the record',
  );

  await fc.putFunctionAsyncConfig('svc', 'works', undefined, {
    destinationConfig: { onSuccess: { destination: arn('svc', 'sink') }, onFailure: null },
  });
  await fc.invokeFunction('svc', 'works', 'hello', { 'x-fc-invocation-type': 'Async' });
  const both = await finished(fc, 'svc', 'sink', 2);
  const success = both
    .map((inv) => JSON.parse(inv.invocationPayload ?? '') as DestinationRecord)
    .find((r) => r.requestContext.functionArn === arn('svc', 'works'));
  assert.ok(success, 'the onSuccess record reached the sink');
  assert.equal(success.requestContext.condition, '');
  assert.equal(success.requestContext.approximateInvokeCount, 1);
  assert.equal(success.requestPayload, 'hello');
  assert.equal(success.responsePayload, 'echo:hello');
  assert.equal(success.responseContext.functionError, '');

  const listed = await fc.listFunctionAsyncConfigs('svc', 'works');
  assert.deepEqual(
    listed.data.configs.map((c) => c.qualifier),
    ['LATEST'],
  );
  await fc.deleteFunctionAsyncConfig('svc', 'works', 'LATEST');
  await assert.rejects(fc.getFunctionAsyncConfig('svc', 'works', 'LATEST'), { code: 'AsyncConfigNotExists' });
});

test('expired events are dropped (Expired) and sent to onFailure with EventAgeExceeded', async (t) => {
  // The first retry is due 1.5 s after the first attempt, past the 1 s event age: it can only expire.
  const { fc } = await startTestServer(t, { asyncRetryBaseMs: 1500 });
  await deployCustom(fc, 'svc', 'fails', ALWAYS_FAILS);
  await deployCustom(fc, 'svc', 'sink', NODE_RUNTIME);
  await fc.putFunctionAsyncConfig('svc', 'fails', 'LATEST', {
    maxAsyncEventAgeInSeconds: 1,
    maxAsyncRetryAttempts: 3,
    destinationConfig: { onFailure: { destination: arn('svc', 'sink') } },
  });
  await fc.invokeFunction('svc', 'fails', 'old news', { 'x-fc-invocation-type': 'Async' });
  const [original] = await finished(fc, 'svc', 'fails', 1);
  assert.equal(original?.status, 'Expired');
  assert.match(original?.invocationErrorMessage ?? '', /older than maxAsyncEventAgeInSeconds \(1\)/);
  const [delivered] = await finished(fc, 'svc', 'sink', 1);
  const record = JSON.parse(delivered?.invocationPayload ?? '') as DestinationRecord;
  assert.equal(record.requestContext.condition, 'EventAgeExceeded');
  assert.equal(record.requestPayload, 'old news');
  assert.match(JSON.parse(record.responsePayload).errorMessage, /older than maxAsyncEventAgeInSeconds/);
});

test('a destination that is the function itself and always fails is delivered once, never in a loop', async (t) => {
  const { fc } = await startTestServer(t, { asyncRetryBaseMs: 50 });
  await deployCustom(fc, 'svc', 'loop', ALWAYS_FAILS);
  await fc.putFunctionAsyncConfig('svc', 'loop', 'LATEST', {
    maxAsyncRetryAttempts: 0,
    destinationConfig: { onFailure: { destination: arn('svc', 'loop') } },
  });
  await fc.invokeFunction('svc', 'loop', 'x'.repeat(128 * 1024), { 'x-fc-invocation-type': 'Async' });
  // The delivery ends Failed too; a further delivery would have been queued in the same transaction as its end.
  const both = await finished(fc, 'svc', 'loop', 2);
  assert.deepEqual(
    both.map((inv) => inv.status),
    ['Failed', 'Failed'],
  );
  const delivery = both.find((inv) => inv.invocationPayload?.startsWith('{"timestamp"'));
  assert.ok(delivery);
  const payload = delivery.invocationPayload ?? '';
  assert.ok(Buffer.byteLength(payload) <= 128 * 1024, 'the record is bounded as an async payload');
  const cut = JSON.parse(payload) as DestinationRecord;
  assert.equal(cut.responsePayload, '', 'the response payload is cut first');
  assert.match(cut.requestPayload, /^x{100000,}$/, 'then the request payload, keeping its start');
  assert.ok(cut.requestPayload.length < 128 * 1024);
  assert.equal(JSON.parse(payload).requestContext.condition, 'UnhandledInvocationError');
});

test('put refuses destinations Kumo cannot reach or that name another account, region or a path trick', async (t) => {
  const { fc } = await startTestServer(t);
  await deployCustom(fc, 'svc', 'fn', NODE_RUNTIME);
  const refused = async (destination: string, pattern: RegExp) =>
    assert.rejects(
      fc.putFunctionAsyncConfig('svc', 'fn', 'LATEST', { destinationConfig: { onFailure: { destination } } }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'InvalidArgument', destination);
        assert.match(error.message, pattern);
        return true;
      },
    );
  await refused(`acs:mns:local:${ACCOUNT_ID}:/queues/q/messages`, /MNS\) cannot be reached/);
  await refused(`acs:mq:local:${ACCOUNT_ID}:/instances/i/topic/t`, /RocketMQ cannot be reached/);
  await refused(`acs:eventbridge:local:${ACCOUNT_ID}:eventbus/default`, /EventBridge cannot be reached/);
  await refused(arn('svc', 'fn', 'LATEST', '999999'), /this server's region 'local' and account/);
  await refused(`acs:fc:cn-hangzhou:${ACCOUNT_ID}:services/svc.LATEST/functions/fn`, /region 'local'/);
  await refused(`acs:fc:local:${ACCOUNT_ID}:services/../other/functions/fn`, /must name a function/);
  await refused(
    `acs:fc:local:${ACCOUNT_ID}:services/svc.LATEST/functions/fn/../../x`,
    /must name a function/,
  );
  await refused(`acs:fc:local:${ACCOUNT_ID}:services/svc%2F..%2Fx/functions/fn`, /must name a function/);
  await refused(`acs:fc:local:${ACCOUNT_ID}:functions/fn`, /must name a function/);
  await assert.rejects(fc.putFunctionAsyncConfig('svc', 'fn', 'LATEST', { maxAsyncRetryAttempts: 9 }), {
    code: 'InvalidArgument',
  });
  await assert.rejects(fc.putFunctionAsyncConfig('svc', 'fn', 'LATEST', { maxAsyncEventAgeInSeconds: 0 }), {
    code: 'InvalidArgument',
  });
  await assert.rejects(fc.putFunctionAsyncConfig('svc', 'fn', 'nope', {}), { code: 'AliasNotFound' });
  await assert.rejects(fc.getFunctionAsyncConfig('svc', 'fn', 'LATEST'), { code: 'AsyncConfigNotExists' });
});
