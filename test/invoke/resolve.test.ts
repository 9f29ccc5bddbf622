import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isTargetGone,
  LATEST,
  parseServiceRef,
  resolveHttpTarget,
  resolveService,
  resolveTarget,
} from '../../src/invoke/index.js';
import { FcError } from '../../src/model/index.js';
import { controlHarness, customFunction, errorCode } from '../helpers/control.js';

test('parseServiceRef: svc, svc.q and a separate qualifier that must agree', () => {
  assert.deepEqual(parseServiceRef('svc'), { serviceName: 'svc', qualifier: LATEST });
  assert.deepEqual(parseServiceRef('svc.'), { serviceName: 'svc', qualifier: LATEST });
  assert.deepEqual(parseServiceRef('svc.prod'), { serviceName: 'svc', qualifier: 'prod' });
  assert.deepEqual(parseServiceRef('svc', 'prod'), { serviceName: 'svc', qualifier: 'prod' });
  assert.deepEqual(parseServiceRef('svc.3', '3'), { serviceName: 'svc', qualifier: '3' });
  assert.deepEqual(parseServiceRef('svc', ''), { serviceName: 'svc', qualifier: LATEST });
  assert.throws(
    () => parseServiceRef('svc.1', '2'),
    (error: FcError) => error.code === 'InvalidArgument' && /contradicts/.test(error.message),
  );
});

test('resolveTarget: service → LATEST → function, with its code and revision', async (t) => {
  const { control, store } = controlHarness(t);
  await control.services.create({ serviceName: 'svc' });
  const created = await control.functions.create({ serviceName: 'svc' }, await customFunction('fn'));

  const target = await resolveTarget(store, { serviceRef: 'svc', functionName: 'fn' });
  assert.equal(target.service.serviceName, 'svc');
  assert.deepEqual(target.fn, created.value);
  assert.deepEqual(target.code, created.value.code);
  assert.ok(target.code?.sha256);
  assert.equal(target.revision, created.etag);
  assert.equal(target.qualifier, LATEST);
  assert.equal(target.versionId, undefined);
  assert.equal(target.httpTrigger, undefined);

  const qualified = await resolveTarget(store, {
    serviceRef: 'svc.LATEST',
    functionName: 'fn',
    qualifier: 'LATEST',
  });
  assert.equal(qualified.revision, created.etag);
});

test('resolveTarget reads cached rows: repeated calls share the parsed objects until a write', async (t) => {
  const { control, store } = controlHarness(t);
  await control.services.create({ serviceName: 'svc' });
  await control.functions.create({ serviceName: 'svc' }, await customFunction('fn'));
  const ref = { serviceRef: 'svc', functionName: 'fn' };
  const first = await resolveTarget(store, ref);
  const second = await resolveTarget(store, ref);
  assert.equal(second.fn, first.fn, 'the same frozen row, not a new parse');
  assert.equal(second.service, first.service);
  assert.ok(Object.isFrozen(first.fn));

  const updated = await control.functions.update({ serviceName: 'svc', functionName: 'fn' }, { timeout: 9 });
  const after = await resolveTarget(store, ref);
  assert.notEqual(after.revision, first.revision, 'a write changes the revision');
  assert.equal(after.revision, updated.etag);
  assert.equal(after.fn.timeout, 9, 'never a stale row after a write');
});

test('resolveTarget: FC not-found errors for each missing piece; versions and aliases do not exist yet', async (t) => {
  const { control, store } = controlHarness(t);
  await control.services.create({ serviceName: 'svc' });
  await control.functions.create({ serviceName: 'svc' }, await customFunction('fn'));
  const resolve = (serviceRef: string, functionName = 'fn', qualifier?: string) =>
    errorCode(resolveTarget(store, { serviceRef, functionName, qualifier }));
  assert.equal(await resolve('nope'), 'ServiceNotFound');
  assert.equal(await resolve('svc', 'nope'), 'FunctionNotFound');
  assert.equal(await resolve('svc.1'), 'VersionNotFound');
  assert.equal(await resolve('svc', 'fn', '12'), 'VersionNotFound');
  assert.equal(await resolve('svc.prod'), 'AliasNotFound');
  assert.equal(await resolve('svc', 'fn', 'prod'), 'AliasNotFound');
  assert.equal(await resolve('svc.1', 'fn', 'prod'), 'InvalidArgument');
  assert.equal(await resolve('nope.prod'), 'ServiceNotFound', 'the service is looked up first');
  assert.equal(await errorCode(resolveService(store, 'svc.prod')), 'AliasNotFound');
  assert.equal((await resolveService(store, 'svc')).service.value.serviceName, 'svc');
});

test('resolveHttpTarget: the trigger comes along; a missing service, function or trigger is TriggerNotFound', async (t) => {
  const { control, store } = controlHarness(t);
  await control.services.create({ serviceName: 'svc' });
  await control.functions.create({ serviceName: 'svc' }, await customFunction('fn'));
  const ref = { serviceRef: 'svc', functionName: 'fn' };
  assert.equal(await errorCode(resolveHttpTarget(store, ref)), 'TriggerNotFound');
  await control.triggers.create(
    { serviceName: 'svc', functionName: 'fn' },
    { triggerName: 'tick', triggerType: 'timer', triggerConfig: { cronExpression: '@every 1h' } },
  );
  assert.equal(
    await errorCode(resolveHttpTarget(store, ref)),
    'TriggerNotFound',
    'a timer is no HTTP trigger',
  );
  await control.triggers.create(
    { serviceName: 'svc', functionName: 'fn' },
    { triggerName: 'web', triggerType: 'http', triggerConfig: { authType: 'anonymous', methods: ['GET'] } },
  );
  const target = await resolveHttpTarget(store, ref);
  assert.equal(target.httpTrigger?.triggerName, 'web');
  assert.equal(target.fn.functionName, 'fn');

  assert.equal(
    await errorCode(resolveHttpTarget(store, { ...ref, functionName: 'nope' })),
    'TriggerNotFound',
  );
  assert.equal(await errorCode(resolveHttpTarget(store, { ...ref, serviceRef: 'nope' })), 'TriggerNotFound');
  assert.equal(await errorCode(resolveHttpTarget(store, { ...ref, serviceRef: 'svc.1' })), 'VersionNotFound');
});

test('isTargetGone: a reference that names nothing any more, not a malformed one or a failure', () => {
  assert.equal(isTargetGone(new FcError('ServiceNotFound', 'x')), true);
  assert.equal(isTargetGone(new FcError('FunctionNotFound', 'x')), true);
  assert.equal(isTargetGone(new FcError('AliasNotFound', 'x')), true);
  assert.equal(isTargetGone(new FcError('VersionNotFound', 'x')), true);
  assert.equal(isTargetGone(new FcError('InvalidArgument', 'x')), false);
  assert.equal(isTargetGone(new FcError('InternalServerError', 'x')), false);
  assert.equal(isTargetGone(new Error('disk full')), false);
});
