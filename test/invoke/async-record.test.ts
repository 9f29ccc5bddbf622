import assert from 'node:assert/strict';
import { test } from 'node:test';
import { destinationDelivery, destinationRecord } from '../../src/invoke/async-destinations.js';
import type { AsyncConfig } from '../../src/model/index.js';
import type { AsyncInvocation } from '../../src/store/index.js';

const home = { region: 'local', accountId: '42' };
const invocation = (payload: string, origin?: string): AsyncInvocation => ({
  id: 'req-1',
  invocationId: 'req-1',
  serviceName: 'svc',
  functionName: 'fn',
  qualifier: 'prod',
  payload: Buffer.from(payload),
  status: 'Running',
  attempts: 3,
  nextAttemptAt: 0,
  createdAt: 0,
  origin,
});

test('the destination record stays valid JSON within 128 KB whatever the payloads hold', () => {
  // Quotes and control characters double or sextuple in JSON; multibyte characters take 3 bytes.
  for (const unit of ['"', '\u0001', '雪', 'x']) {
    const huge = unit.repeat(128 * 1024);
    const bytes = destinationRecord(
      invocation(huge),
      { ok: false, condition: 'UnhandledInvocationError', responsePayload: huge.repeat(4) },
      home,
      1,
    );
    assert.ok(bytes.length <= 128 * 1024, `${JSON.stringify(unit)}: ${bytes.length} bytes`);
    const record = JSON.parse(bytes.toString());
    assert.equal(record.responsePayload, '', 'the response is cut first');
    assert.ok(record.requestPayload.length > 0 && huge.startsWith(record.requestPayload));
    assert.equal(record.requestContext.functionArn, 'acs:fc:local:42:services/svc.prod/functions/fn');
    assert.equal(record.requestContext.approximateInvokeCount, 3);
  }
  const small = JSON.parse(
    destinationRecord(
      invocation('in'),
      { ok: true, condition: '', responsePayload: 'out' },
      home,
      7,
    ).toString(),
  );
  assert.deepEqual(small, {
    timestamp: 7,
    requestContext: {
      requestId: 'req-1',
      functionArn: 'acs:fc:local:42:services/svc.prod/functions/fn',
      condition: '',
      approximateInvokeCount: 3,
    },
    requestPayload: 'in',
    responseContext: { statusCode: 200, functionError: '' },
    responsePayload: 'out',
  });
});

test('a delivery goes to the destination of its outcome, and a delivery itself is never forwarded', () => {
  const config: AsyncConfig = {
    serviceName: 'svc',
    functionName: 'fn',
    qualifier: 'prod',
    statefulInvocation: false,
    destinationConfig: {
      onSuccess: { destination: 'acs:fc:local:42:services/ok/functions/sink' },
      onFailure: { destination: 'acs:fc:local:42:services/bad.v2/functions/sink' },
    },
    createdTime: '',
    lastModifiedTime: '',
  };
  const ok = { ok: true, condition: '', responsePayload: 'r' };
  const failed = { ok: false, condition: 'EventAgeExceeded', responsePayload: '{}' };
  const success = destinationDelivery(invocation('p'), config, ok, home);
  assert.deepEqual(
    [success?.serviceName, success?.qualifier, success?.functionName],
    ['ok', 'LATEST', 'sink'],
  );
  assert.equal(success?.origin, 'req-1');
  assert.equal(success?.status, 'Enqueued');
  const failure = destinationDelivery(invocation('p'), config, failed, home);
  assert.deepEqual([failure?.serviceName, failure?.qualifier], ['bad', 'v2']);
  assert.equal(destinationDelivery(invocation('p', 'earlier'), config, failed, home), undefined);
  assert.equal(destinationDelivery(invocation('p'), undefined, failed, home), undefined);
  const onlySuccess = { ...config, destinationConfig: { onSuccess: config.destinationConfig.onSuccess } };
  assert.equal(destinationDelivery(invocation('p'), onlySuccess, failed, home), undefined);
});
