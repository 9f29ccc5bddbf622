import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { zipFiles } from '../helpers/code.js';
import { NODE_RUNTIME } from '../helpers/functions.js';
import { startTestServer } from '../helpers/server.js';

interface FcFailure {
  code?: string;
  message: string;
}

async function refused(call: Promise<unknown>, code: string, field?: RegExp): Promise<void> {
  await assert.rejects(call, (error: FcFailure) => {
    assert.equal(error.code, code, error.message);
    if (field) assert.match(error.message, field);
    return true;
  });
}

const dbSize = (dataDir: string) =>
  ['meta.db', 'meta.db-wal'].reduce((n, f) => {
    try {
      return n + statSync(join(dataDir, f)).size;
    } catch {
      return n;
    }
  }, 0);

test('request fields are bounded as FC bounds them; nothing oversized is stored', async (t) => {
  const { fc, dataDir } = await startTestServer(t);
  const tenMb = 'x'.repeat(10 * 1024 * 1024);

  // Management bodies other than code uploads are small: a 10 MB field is refused before parsing.
  await refused(fc.createService('big', { junk: tenMb }), 'EntityTooLarge');
  const manySwitches = Array.from({ length: 100_000 }, (_, i) => `vsw-${i}`);
  await refused(fc.createService('vpc', { vpcConfig: { vSwitchIds: manySwitches } }), 'EntityTooLarge');
  // Under the body limit, each bound names its field.
  await refused(
    fc.createService('vpc', { vpcConfig: { vSwitchIds: manySwitches.slice(0, 17) } }),
    'InvalidArgument',
    /vpcConfig\.vSwitchIds/,
  );
  await refused(fc.createService('d', { description: 'd'.repeat(257) }), 'InvalidArgument', /description/);
  await refused(fc.createService('r', { role: 'r'.repeat(2000) }), 'InvalidArgument', /role/);
  await refused(
    fc.createService('n', {
      nasConfig: { mountPoints: Array.from({ length: 6 }, () => ({ mountDir: '/mnt' })) },
    }),
    'InvalidArgument',
    /nasConfig\.mountPoints/,
  );
  await refused(
    fc.createService('t', { tracingConfig: { params: { big: 'p'.repeat(5000) } } }),
    'InvalidArgument',
    /tracingConfig\.params/,
  );
  // Unknown keys are dropped, at the top and nested.
  await fc.createService('svc', {
    surprise: 'x',
    vpcConfig: { vpcId: 'vpc-1', extra: 'y' },
    tracingConfig: {},
  });
  const service = (await fc.getService('svc')).data;
  assert.equal(service.surprise, undefined);
  assert.deepEqual(service.vpcConfig, { vpcId: 'vpc-1' });

  // Function bodies carry code, so their limit is large: code uploads keep working (a 2 MB incompressible
  // package is far over the management limit), and a 10 MB unknown field is dropped, not stored.
  const before = dbSize(dataDir);
  const code = await zipFiles({
    ...NODE_RUNTIME,
    'noise.bin': randomBytes(2 * 1024 * 1024).toString('base64'),
  });
  const created = await fc.createFunction('svc', {
    functionName: 'fn',
    runtime: 'custom',
    handler: 'index.handler',
    code: { zipFile: code },
    junk: tenMb,
  });
  assert.ok(Number(created.data.codeSize) > 2 * 1024 * 1024);
  assert.equal((await fc.getFunction('svc', 'fn')).data.junk, undefined);
  assert.ok(dbSize(dataDir) - before < 1024 * 1024, `meta.db grew by ${dbSize(dataDir) - before} bytes`);

  const update = (fields: Record<string, unknown>) => fc.updateFunction('svc', 'fn', fields);
  await refused(update({ runtime: tenMb }), 'InvalidArgument', /runtime/);
  await refused(
    update({ customDNS: { nameServers: Array(1000).fill('1.1.1.1') } }),
    'InvalidArgument',
    /customDNS\.nameServers/,
  );
  await refused(
    update({ customRuntimeConfig: { command: Array(65).fill('x') } }),
    'InvalidArgument',
    /customRuntimeConfig\.command/,
  );
  await refused(
    update({ customContainerConfig: { image: 'i'.repeat(5000) } }),
    'InvalidArgument',
    /customContainerConfig\.image/,
  );
  await refused(
    update({ customHealthCheckConfig: { httpGetUrl: tenMb.slice(0, 5000) } }),
    'InvalidArgument',
    /customHealthCheckConfig/,
  );
  await refused(
    update({ environmentVariables: { A: 'a'.repeat(5000) } }),
    'InvalidArgument',
    /environmentVariables/,
  );

  // Triggers and custom domains.
  const trigger = (config: Record<string, unknown>, type = 'timer') =>
    fc.post('/services/svc/functions/fn/triggers', {
      triggerName: `t${Math.random().toString(36).slice(2)}`,
      triggerType: type,
      triggerConfig: config,
    });
  await refused(
    trigger({ cronExpression: `@every 1m${' '.repeat(300)}` }),
    'InvalidArgument',
    /cronExpression/,
  );
  await refused(
    trigger({ cronExpression: '@every 1m', payload: 'p'.repeat(20_000) }),
    'InvalidArgument',
    /payload/,
  );
  await refused(
    trigger({ authType: 'anonymous', methods: Array(20).fill('GET') }, 'http'),
    'InvalidArgument',
    /methods/,
  );
  const route = { path: '/*', serviceName: 'svc', functionName: 'fn' };
  await refused(
    fc.createCustomDomain('a.example.com', { routeConfig: { routes: Array(101).fill(route) } }),
    'InvalidArgument',
    /routeConfig\.routes/,
  );
  await refused(
    fc.createCustomDomain('b.example.com', {
      routeConfig: { routes: [route] },
      certConfig: { certificate: 'c'.repeat(70_000) },
    }),
    'InvalidArgument',
    /certConfig\.certificate/,
  );
  assert.equal((await fc.listCustomDomains()).data.customDomains.length, 0);
});
