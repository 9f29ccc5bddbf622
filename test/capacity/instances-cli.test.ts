import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runKumo } from '../helpers/cli.js';
import { deployCustom, invoke, NODE_RUNTIME } from '../helpers/functions.js';
import { until } from '../helpers/poll.js';
import { startTestServer } from '../helpers/server.js';
import { type Key, rawRequest, signedHeaders } from '../security/helpers.js';

const V = '/2016-08-15';

test('kumo instances lists what listInstances lists; getAccountSettings answers in FC shape', async (t) => {
  const { fc, server } = await startTestServer(t, { provisionIntervalMs: 200 });
  await deployCustom(fc, 'inst', 'fn', NODE_RUNTIME);
  const kumo = async (...args: string[]) => {
    const result = await runKumo(args, { endpoint: server.url });
    assert.equal(result.code, 0, `kumo ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  assert.match(await kumo('instances', 'inst/fn'), /^no instances of inst\/fn$/m);
  const called = await invoke(fc, 'inst', 'fn', 'stats');
  const id = called.headers['x-fc-instance-id'] ?? '';
  const listed = (await fc.listInstances('inst', 'fn', undefined)).data.instances;
  assert.deepEqual(
    listed.map((i) => [i.instanceId, i.versionId, i.provisioned]),
    [[id, 'LATEST', false]],
  );
  assert.match(
    await kumo('instances', 'inst/fn'),
    new RegExp(`^${id}\\s+version LATEST\\s+Idle\\s+on-demand\\s+started \\S+$`, 'm'),
  );

  await fc.publishVersion('inst', 'v1');
  await fc.putProvisionConfig('inst', 'fn', '1', { target: 1 });
  await until(async () => (await fc.getProvisionConfig('inst', 'fn', '1')).data.current === 1, {
    what: 'version 1 is provisioned',
  });
  const json = JSON.parse(await kumo('instances', 'inst/fn', '--qualifier', '1', '--json')) as Array<{
    versionId: string;
    provisioned: boolean;
  }>;
  assert.deepEqual(
    json.map((i) => [i.versionId, i.provisioned]),
    [['1', true]],
  );

  const settings = (await fc.getAccountSettings()).data;
  assert.ok(Array.isArray(settings.availableAZs) && settings.availableAZs.length > 0);
  assert.equal(typeof settings.defaultRole, 'string');
});

test("a function's temporary key reads its own capacity and instances but cannot change capacity", async (t) => {
  const { fc, server } = await startTestServer(t);
  await deployCustom(fc, 'own', 'fn', NODE_RUNTIME);
  await fc.publishVersion('own', 'v1');
  const { headers } = JSON.parse((await invoke(fc, 'own', 'fn', 'headers')).body) as {
    headers: Record<string, string>;
  };
  const scoped: Key = {
    accessKeyId: headers['X-Fc-Access-Key-Id'] as string,
    accessKeySecret: headers['X-Fc-Access-Key-Secret'] as string,
    securityToken: headers['X-Fc-Security-Token'] as string,
  };
  const send = (method: string, target: string, body?: string) =>
    rawRequest(server.port, {
      method,
      target,
      headers: signedHeaders(scoped, method, target, { body }),
      body,
    });

  assert.equal((await send('GET', `${V}/services/own/functions/fn/instances`)).status, 200);
  assert.equal((await send('GET', `${V}/services/own.1/functions/fn/provision-config`)).status, 200);
  for (const [method, target, body] of [
    ['PUT', `${V}/services/own.1/functions/fn/provision-config`, '{"target":3}'],
    ['PUT', `${V}/services/own/functions/fn/on-demand-config`, '{"maximumInstanceCount":0}'],
    ['DELETE', `${V}/services/own/functions/fn/on-demand-config`, undefined],
    ['GET', `${V}/provision-configs`, undefined],
    ['GET', `${V}/on-demand-configs`, undefined],
  ] as const) {
    const answer = await send(method, target, body);
    assert.equal(answer.status, 403, `${method} ${target}: ${answer.body}`);
    assert.equal(answer.errorCode, 'AccessDenied');
  }
  assert.equal((await fc.getProvisionConfig('own', 'fn', '1')).data.target, 0, 'nothing changed');
});
