import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FcClient } from '../../src/cli/client.js';
import { deployCustom, functionLogs, NODE_RUNTIME } from '../helpers/functions.js';
import { spawnServe } from '../helpers/kumo-serve.js';
import { until } from '../helpers/poll.js';
import { sdkClient } from '../helpers/server.js';

test('kumo serve: generates and prints a key once (0600), answers /healthz, drains in-flight calls on SIGTERM', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kumo-cli-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));

  const first = await spawnServe(dataDir);
  t.after(() => first.child.kill('SIGKILL'));
  const id = /KUMO_ACCESS_KEY_ID=(\S+)/.exec(first.output())?.[1];
  const secret = /KUMO_ACCESS_KEY_SECRET=(\S+)/.exec(first.output())?.[1];
  assert.ok(id && secret, first.output());
  assert.equal(statSync(join(dataDir, 'credentials.json')).mode & 0o777, 0o600);
  const health = await fetch(`${first.url}/healthz`);
  assert.equal(health.status, 200);

  const fc = sdkClient(first.url, id, secret);
  await deployCustom(fc, 'svc', 'slow', NODE_RUNTIME);
  const client = new FcClient({
    endpoint: first.url,
    accessKeyId: id,
    accessKeySecret: secret,
    accountId: '1',
  });
  const inFlight = client.send('POST', '/services/svc/functions/slow/invocations', 'sleep:1500');
  await until(
    async () => (await functionLogs(client, 'svc', 'slow', { text: 'event sleep:1500' })).length > 0,
    { what: 'the call runs in an instance' },
  );
  first.child.kill('SIGTERM');
  const response = await inFlight;
  assert.equal(response.body.toString(), 'slept 1500', 'the in-flight call finished during shutdown');
  const [code] = await once(first.child, 'exit');
  assert.equal(code, 0);

  const second = await spawnServe(dataDir);
  t.after(() => second.child.kill('SIGKILL'));
  assert.doesNotMatch(second.output(), /KUMO_ACCESS_KEY_SECRET/, 'the key is printed only once');
  const services = await sdkClient(second.url, id, secret).listServices();
  assert.deepEqual(
    services.data.services.map((s) => s.serviceName),
    ['svc'],
  );
  second.child.kill('SIGTERM');
  await once(second.child, 'exit');
});
