import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type FC from '@alicloud/fc2';
import { probeBwrap } from '../../src/sandbox/index.js';
import { containerTestsUnavailable, useSuiteImage } from '../containers/helpers.js';
import { startTestServer } from '../helpers/server.js';
import { deployProbe, hostAddresses, offset, openListener, PROBE_SOURCE, probe } from './network-helpers.js';

const bwrap = await probeBwrap();
if (typeof bwrap !== 'string') await bwrap.close();
const unavailable =
  containerTestsUnavailable() ?? (typeof bwrap === 'string' ? `bwrap cannot work here: ${bwrap}` : undefined);

/** The probe as a custom-container function: the image's node runs the probe's source (`node -e`). */
async function deployContainerProbe(fc: FC, service: string, image: string, options = {}): Promise<void> {
  await fc.createService(service, options);
  await fc.createFunction(service, {
    functionName: 'probe',
    runtime: 'custom-container',
    handler: 'not-used',
    memorySize: 256,
    timeout: 10,
    caPort: 9000,
    customContainerConfig: { image, args: JSON.stringify(['-e', PROBE_SOURCE]) },
  });
}

describe('network policy of runc instances (custom containers)', { skip: unavailable ?? false }, () => {
  const suite = useSuiteImage({ before, after }, 'test/probe', {
    entrypoint: ['/usr/bin/node'],
    env: ['PATH=/usr/bin:/bin'],
  });

  test('a container reaches neither a bwrap instance nor the host; internetAccess false has no route', async (t) => {
    const { server, fc } = await startTestServer(t, {
      host: '0.0.0.0',
      instanceStartTimeoutMs: 20_000,
    });
    const listener = await openListener(t);
    await deployProbe(fc, 'victim');
    const image = suite.image ?? '';
    await deployContainerProbe(fc, 'boxed', image);
    await deployContainerProbe(fc, 'boxed-offline', image, { internetAccess: false });
    const victim = await probe(fc, 'victim', []);
    const self = (await probe(fc, 'boxed', [])).ip;
    assert.notEqual(self.split('.').slice(0, 2).join('.'), victim.ip.split('.').slice(0, 2).join('.'));

    const targets = [offset(self, -1), offset(victim.ip, -1), ...hostAddresses()]
      .flatMap((host) => [
        { host, port: listener.port },
        { host, port: server.port },
      ])
      .concat([{ host: victim.ip, port: 9000 }]);
    const report = await probe(fc, 'boxed', targets);
    assert.equal(report.ip, self);
    assert.equal(report.defaultRoute, true);
    assert.equal(Object.keys(report.results).length, targets.length);
    for (const [target, outcome] of Object.entries(report.results)) {
      assert.equal(outcome, 'ECONNREFUSED', `${target}: ${JSON.stringify(report.results)}`);
    }
    assert.equal(listener.accepted(), 0);

    const offline = await probe(fc, 'boxed-offline', [{ host: '1.1.1.1', port: 80 }]);
    assert.equal(offline.defaultRoute, false);
    assert.deepEqual(offline.results, { '1.1.1.1:80': 'ENETUNREACH' });
  });
});
