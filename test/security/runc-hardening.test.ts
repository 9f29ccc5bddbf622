import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { detectCgroupLayout } from '../../src/sandbox/cgroup.js';
import { containerTestsUnavailable, useSuiteImage } from '../containers/helpers.js';
import { invoke } from '../helpers/functions.js';
import { startTestServer } from '../helpers/server.js';

const REPO = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

/** A server in the image's node that answers every call with what the container sees of itself. */
const REPORTER = `
const fs = require('node:fs');
require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => res.end(JSON.stringify({
    status: fs.readFileSync('/proc/self/status', 'utf8'),
    mountinfo: fs.readFileSync('/proc/self/mountinfo', 'utf8'),
  })));
}).listen(Number(process.env.FC_SERVER_PORT || 9000));
`;

function cpuQuotas(): number[] {
  const layout = detectCgroupLayout();
  const parent = layout.version === 2 ? join(layout.root, 'kumo') : layout.cpu && join(layout.cpu, 'kumo');
  if (!parent) return [];
  return readdirSync(parent)
    .filter((name) => name.startsWith(`kumo-${process.pid}-`))
    .map((name) =>
      layout.version === 2
        ? Number(readFileSync(join(parent, name, 'cpu.max'), 'utf8').split(' ')[0])
        : Number(readFileSync(join(parent, name, 'cpu.cfs_quota_us'), 'utf8')),
    );
}

describe('sandbox hardening: custom containers under runc', {
  skip: containerTestsUnavailable() ?? false,
}, () => {
  const suite = useSuiteImage({ before, after }, 'test/hardening', {
    entrypoint: ['/usr/bin/node'],
    cmd: ['-e', REPORTER],
  });

  test('the container runs under the seccomp filter, with a CPU quota, and no host path in its mountinfo', async (t) => {
    const { fc, dataDir } = await startTestServer(t, {
      instanceStartTimeoutMs: 20_000,
    });
    await fc.createService('ctr');
    await fc.createFunction('ctr', {
      functionName: 'seen',
      runtime: 'custom-container',
      handler: 'not-used',
      memorySize: 1024,
      timeout: 10,
      caPort: 9000,
      customContainerConfig: { image: suite.image },
    });
    const result = await invoke(fc, 'ctr', 'seen', 'x');
    assert.equal(result.errorType, undefined, result.body);
    const { status, mountinfo } = JSON.parse(result.body) as { status: string; mountinfo: string };
    assert.match(status, /^Seccomp:\s+2$/m);
    assert.match(status, /^NoNewPrivs:\s+1$/m);
    assert.match(mountinfo, / \/etc\/hosts /);
    assert.match(mountinfo, /^\S+ \S+ \S+ \/ \/ .* - overlay overlay /m, 'the root is an overlay');
    for (const secret of [dataDir, basename(dataDir), REPO])
      assert.ok(!mountinfo.includes(secret), `mountinfo shows ${secret}:\n${mountinfo}`);
    assert.deepEqual(cpuQuotas(), [Math.min(1, availableParallelism()) * 100_000]);
  });
});
