import assert from 'node:assert/strict';
import { test } from 'node:test';
import type FC from '@alicloud/fc2';
import { deployCustom, functionLogs, invoke, NODE_RUNTIME } from '../helpers/functions.js';
import { until } from '../helpers/poll.js';
import { ACCOUNT_ID, startTestServer } from '../helpers/server.js';

const codeOf = async (call: Promise<unknown>) =>
  call.then(
    () => 'no error',
    (e: { code?: string }) => e.code,
  );

/** A function published as version 1 with the alias `prod`. */
async function deployReleased(
  fc: FC,
  service: string,
  fn: string,
  options: Record<string, unknown> = {},
): Promise<void> {
  await deployCustom(fc, service, fn, NODE_RUNTIME, options);
  await fc.publishVersion(service, 'v1');
  await fc.createAlias(service, 'prod', '1').catch((e: { code?: string }) => {
    if (e.code !== 'AliasAlreadyExists') throw e;
  });
}

const instanceIds = async (fc: FC, service: string, fn: string, qualifier: string) =>
  (await fc.listInstances(service, fn, qualifier)).data.instances.map((i) => i.instanceId).sort();

test('target 2 starts two instances ahead of calls; a call uses one of them; target 0 releases them', async (t) => {
  const { fc, server } = await startTestServer(t, { provisionIntervalMs: 200 });
  await deployReleased(fc, 'cap', 'fn', { initializer: 'index.init' });
  assert.equal(
    await codeOf(fc.putProvisionConfig('cap', 'fn', 'LATEST', { target: 1 })),
    'InvalidArgument',
    'FC provisions a version or an alias, never LATEST',
  );
  const put = await fc.putProvisionConfig('cap', 'fn', 'prod', { target: 2 });
  assert.equal(put.data.target, 2);
  assert.equal(put.data.resource, `${ACCOUNT_ID}#cap#prod#fn`);
  assert.equal(put.data.alwaysAllocateCPU, true);

  await until(async () => (await fc.getProvisionConfig('cap', 'fn', 'prod')).data.current === 2, {
    what: 'getProvisionConfig.current reaches 2',
  });
  const listed = (await fc.listInstances('cap', 'fn', 'prod')).data.instances;
  assert.equal(listed.length, 2);
  for (const instance of listed) {
    assert.equal(instance.versionId, '1');
    assert.equal(instance.provisioned, true);
    assert.equal(instance.state, 'Idle');
    assert.ok(!Number.isNaN(Date.parse(instance.startTime)));
  }
  const ids = listed.map((i) => i.instanceId);
  assert.equal(server.instanceCount(), 2);

  const first = await invoke(fc, 'cap.prod', 'fn', 'stats');
  assert.ok(ids.includes(first.headers['x-fc-instance-id'] ?? ''), 'the call ran on a provisioned instance');
  const stats = JSON.parse(first.body) as { calls: number; initCount: number };
  assert.equal(stats.calls, 1);
  assert.equal(stats.initCount, 1, 'the instance was initialized ahead of the call');
  assert.doesNotMatch(first.logs, /FC Initialize Start/, 'the call paid no cold start and no initializer');
  assert.match(first.logs, /FC Invoke Start/);
  assert.equal(server.instanceCount(), 2, 'the call started no instance');
  const filtered = await fc.listInstances('cap', 'fn', 'prod', { instanceIds: [ids[0] as string] });
  assert.deepEqual(
    filtered.data.instances.map((i) => i.instanceId),
    [ids[0]],
  );

  assert.equal(
    await codeOf(fc.deleteAlias('cap', 'prod')),
    'InvalidArgument',
    'an alias with provisioned instances cannot be deleted',
  );
  assert.equal(
    await codeOf(fc.putProvisionConfig('cap', 'fn', 'prod', { target: 1_000_000 })),
    'LimitExceeded',
    'a huge target is refused by the server limit',
  );

  await fc.putProvisionConfig('cap', 'fn', 'prod', { target: 0 });
  await until(async () => (await instanceIds(fc, 'cap', 'fn', 'prod')).length === 0, {
    what: 'target 0 releases the instances',
  });
  assert.equal((await fc.getProvisionConfig('cap', 'fn', 'prod')).data.current, 0);
  await until(() => server.instanceCount() === 0, { what: 'the released instances stop' });
  await fc.deleteAlias('cap', 'prod');
});

test('a crashed provisioned instance is replaced; flipping targets settles on the last one', async (t) => {
  const { fc } = await startTestServer(t, { provisionIntervalMs: 100, provisionRetryBaseMs: 50 });
  await deployReleased(fc, 'crash', 'fn');
  await fc.putProvisionConfig('crash', 'fn', '1', { target: 1 });
  const [before] = await until(
    async () => {
      const ids = await instanceIds(fc, 'crash', 'fn', '1');
      return ids.length === 1 ? ids : undefined;
    },
    { what: 'one provisioned instance' },
  );
  await invoke(fc, 'crash.1', 'fn', 'crash');
  const [after] = await until(
    async () => {
      const ids = await instanceIds(fc, 'crash', 'fn', '1');
      return ids.length === 1 && ids[0] !== before ? ids : undefined;
    },
    { what: 'the crashed instance is replaced' },
  );
  assert.notEqual(after, before);

  for (const target of [3, 0, 2, 1, 3, 0, 2]) await fc.putProvisionConfig('crash', 'fn', '1', { target });
  await until(
    async () =>
      (await fc.getProvisionConfig('crash', 'fn', '1')).data.current === 2 &&
      (await instanceIds(fc, 'crash', 'fn', '1')).length === 2,
    { what: 'the last target (2) holds', timeoutMs: 30_000 },
  );
});

test('listProvisionConfigs pages as FC; provisioning survives a restart', async (t) => {
  const first = await startTestServer(t, { provisionIntervalMs: 200 });
  const { fc } = first;
  for (const fn of ['a', 'b', 'c']) await deployCustom(fc, 'many', fn, NODE_RUNTIME);
  await fc.publishVersion('many', 'v1');
  await fc.createAlias('many', 'prod', '1');
  for (const fn of ['a', 'b', 'c'])
    await fc.putProvisionConfig('many', fn, 'prod', { target: fn === 'a' ? 1 : 0 });
  const page1 = await fc.listProvisionConfigs({ serviceName: 'many', limit: 2 });
  assert.deepEqual(
    page1.data.provisionConfigs.map((c) => c.resource),
    [`${ACCOUNT_ID}#many#prod#a`, `${ACCOUNT_ID}#many#prod#b`],
  );
  assert.ok(page1.data.nextToken);
  const page2 = await fc.listProvisionConfigs({
    serviceName: 'many',
    limit: 2,
    nextToken: page1.data.nextToken,
  });
  assert.deepEqual(
    page2.data.provisionConfigs.map((c) => c.resource),
    [`${ACCOUNT_ID}#many#prod#c`],
  );
  assert.equal(page2.data.nextToken, undefined);
  assert.equal(
    await codeOf(fc.listProvisionConfigs({ qualifier: 'prod' })),
    'InvalidArgument',
    'a qualifier needs a service',
  );
  await until(async () => (await fc.getProvisionConfig('many', 'a', 'prod')).data.current === 1, {
    what: 'a is provisioned',
  });
  await first.server.close();

  const second = await startTestServer(t, { provisionIntervalMs: 200 }, first.dataDir);
  await until(async () => (await second.fc.getProvisionConfig('many', 'a', 'prod')).data.current === 1, {
    what: 'the restarted server starts the provisioned instance again',
  });
  assert.equal((await instanceIds(second.fc, 'many', 'a', 'prod')).length, 1);
});

test('scheduled actions and target tracking are validated; an action that has fired sets the target', async (t) => {
  const { fc } = await startTestServer(t, { provisionIntervalMs: 100 });
  await deployReleased(fc, 'sched', 'fn');
  const bad = [
    { target: 0, scheduledActions: [{ name: 'x', target: 1, scheduleExpression: 'every day' }] },
    { target: 0, scheduledActions: [{ name: 'x', target: 1, scheduleExpression: 'cron(99 * * * * *)' }] },
    {
      target: 0,
      targetTrackingPolicies: [
        { name: 'p', metricType: 'CPUUtilization', metricTarget: 0.5, minCapacity: 0, maxCapacity: 1 },
      ],
    },
    {
      target: 0,
      targetTrackingPolicies: [
        {
          name: 'p',
          metricType: 'ProvisionedConcurrencyUtilization',
          metricTarget: 0.5,
          minCapacity: 2,
          maxCapacity: 1,
        },
      ],
    },
  ];
  for (const body of bad) {
    assert.equal(
      await codeOf(fc.putProvisionConfig('sched', 'fn', 'prod', body)),
      'InvalidArgument',
      JSON.stringify(body),
    );
  }
  const past = new Date(Date.now() - 60_000).toISOString();
  const put = await fc.putProvisionConfig('sched', 'fn', 'prod', {
    target: 0,
    scheduledActions: [{ name: 'morning', target: 1, scheduleExpression: `at(${past})` }],
  });
  assert.equal(put.data.target, 0, 'target is what the client set');
  await until(async () => (await fc.getProvisionConfig('sched', 'fn', 'prod')).data.current === 1, {
    what: 'the fired action provisions one instance',
  });
});

test('a function that dies on start is not restarted in a loop: the replacement backs off', async (t) => {
  const { fc, client } = await startTestServer(t, {
    provisionIntervalMs: 50,
    provisionRetryBaseMs: 600_000,
  });
  await deployCustom(fc, 'dies', 'fn', {
    bootstrap: '#!/bin/sh\necho "crash-on-start $$"\nexit 7\n',
  });
  await deployCustom(fc, 'dies', 'clock', NODE_RUNTIME);
  await fc.publishVersion('dies', 'v1');
  await fc.putProvisionConfig('dies', 'fn', '1', { target: 1 });
  const failed = await until(
    async () => {
      const config = (await fc.getProvisionConfig('dies', 'fn', '1')).data;
      return config.currentError ? config : undefined;
    },
    { what: 'the failed start is reported' },
  );
  assert.equal(failed.current, 0);
  assert.match(failed.currentError, /failed to start/);
  const starts = async () => (await functionLogs(client, 'dies', 'fn', { text: 'crash-on-start' })).length;
  await until(async () => (await starts()) === 1, { what: 'the first start is logged' });
  // Several full reconciles (each one also settles the healthy `clock` function) start no second attempt.
  for (const target of [1, 0, 1, 0]) {
    await fc.putProvisionConfig('dies', 'clock', '1', { target });
    await until(async () => (await fc.getProvisionConfig('dies', 'clock', '1')).data.current === target, {
      what: `clock reaches ${target}`,
    });
  }
  assert.equal(await starts(), 1, 'no restart loop while backing off');
  assert.equal((await fc.getProvisionConfig('dies', 'fn', '1')).data.current, 0);
});

test('a provisioned instance whose initializer fails is stopped and reported, not counted', async (t) => {
  const { fc } = await startTestServer(t, { provisionIntervalMs: 50, provisionRetryBaseMs: 600_000 });
  await deployReleased(fc, 'initfail', 'fn', {
    initializer: 'index.init',
    environmentVariables: { INIT_FAIL_ONCE: '1' },
  });
  await fc.putProvisionConfig('initfail', 'fn', 'prod', { target: 1 });
  const failed = await until(
    async () => {
      const config = (await fc.getProvisionConfig('initfail', 'fn', 'prod')).data;
      return config.currentError ? config : undefined;
    },
    { what: 'the failed initializer is reported' },
  );
  assert.match(failed.currentError, /initializer failed: init failed once/);
  assert.equal(failed.current, 0);
  await until(async () => (await instanceIds(fc, 'initfail', 'fn', 'prod')).length === 0, {
    what: 'the instance with the failed initializer is stopped',
  });
});
