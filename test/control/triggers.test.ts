import assert from 'node:assert/strict';
import { test } from 'node:test';
import { controlHarness, customFunction, errorCode } from '../helpers/control.js';

const FN = { serviceName: 'svc', functionName: 'fn' };
const TIMER = { triggerName: 'tick', triggerType: 'timer', triggerConfig: { cronExpression: '0 0 * * * *' } };

test('triggers: create, update and delete announce each change; a refused write announces nothing', async (t) => {
  const h = controlHarness(t);
  await h.control.services.create({ serviceName: 'svc' });
  await h.control.functions.create({ serviceName: 'svc' }, await customFunction('fn'));

  const created = await h.control.triggers.create(FN, TIMER);
  assert.deepEqual(created.value.triggerConfig, { cronExpression: '0 0 * * * *', enable: true });
  assert.equal(await errorCode(h.control.triggers.create(FN, TIMER)), 'TriggerAlreadyExists');
  assert.equal(
    await errorCode(
      h.control.triggers.create(FN, {
        ...TIMER,
        triggerName: 'bad',
        triggerConfig: { cronExpression: 'soon' },
      }),
    ),
    'InvalidArgument',
  );
  assert.equal(
    await errorCode(h.control.triggers.create(FN, { ...TIMER, triggerName: 'q', qualifier: '2' })),
    'InvalidArgument',
  );
  assert.equal(
    await errorCode(h.control.triggers.create({ ...FN, qualifier: 'prod' }, TIMER)),
    'AliasNotFound',
  );

  const key = { ...FN, triggerName: 'tick' };
  const paused = await h.control.triggers.update(
    key,
    { triggerConfig: { cronExpression: '@every 1h', enable: false } },
    { ifMatch: created.etag },
  );
  assert.deepEqual(paused.value.triggerConfig, { cronExpression: '@every 1h', enable: false });
  assert.equal(await errorCode(h.control.triggers.update(key, { triggerType: 'http' })), 'InvalidArgument');
  assert.equal(
    await errorCode(h.control.triggers.update(key, {}, { ifMatch: created.etag })),
    'PreconditionFailed',
  );
  assert.equal(
    await errorCode(h.control.triggers.delete(key, { ifMatch: created.etag })),
    'PreconditionFailed',
  );
  await h.control.triggers.delete(key, { ifMatch: paused.etag });
  assert.equal(await errorCode(h.control.triggers.get(key)), 'TriggerNotFound');
  assert.deepEqual(h.events, ['trigger tick', 'trigger tick', 'trigger tick deleted']);
});
