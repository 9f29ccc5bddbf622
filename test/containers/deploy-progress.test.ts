import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliEnv, runKumo } from '../helpers/cli.js';
import { startTestServer } from '../helpers/server.js';
import { containerTestsUnavailable, useSuiteImage } from './helpers.js';

const KUMO = new URL('../../bin/kumo.js', import.meta.url).pathname;
const hasScript = spawnSync('script', ['--version']).status === 0;
const unavailable =
  containerTestsUnavailable() ??
  (hasScript ? undefined : 'needs `script` (util-linux) for a pseudo-terminal');

const template = (image: string) => `ROSTemplateFormatVersion: '2015-09-01'
Transform: 'Aliyun::Serverless-2018-04-03'
Resources:
  ctr:
    Type: 'Aliyun::Serverless::Service'
    web:
      Type: 'Aliyun::Serverless::Function'
      Properties:
        Runtime: custom-container
        Handler: not-used
        MemorySize: 256
        CAPort: 9000
        CustomContainerConfig:
          Image: ${image}
`;

/** `kumo deploy` on a pseudo-terminal (`script`), as a person runs it; its whole output. */
async function deployOnTerminal(dir: string, endpoint: string): Promise<string> {
  const child = spawn('script', ['-qec', `node ${KUMO} deploy`, '/dev/null'], {
    cwd: dir,
    env: { ...cliEnv(endpoint), TERM: 'dumb' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  await once(child, 'close');
  return output;
}

describe('kumo deploy follows a custom-container image pull on a terminal', {
  skip: unavailable ?? false,
}, () => {
  const suite = useSuiteImage({ before, after }, 'test/progress', {
    entrypoint: ['/usr/bin/node'],
    env: ['PATH=/usr/bin:/bin'],
  });

  test('the pull is said until the image is ready; piped, the deploy does not wait or print it', async (t) => {
    const { server } = await startTestServer(t);
    const dir = mkdtempSync(join(tmpdir(), 'kumo-deploy-progress-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'template.yml'), template(suite.image ?? ''));

    const output = await deployOnTerminal(dir, server.url);
    assert.match(output, /function ctr\/web: created/, output);
    assert.match(output, /image \S+ for ctr\/web: ready \([\d.]+ s\)/, output);

    writeFileSync(join(dir, 'template.yml'), template(suite.image ?? '').replace('256', '512'));
    const piped = await runKumo(['deploy'], { endpoint: server.url, cwd: dir });
    assert.equal(piped.code, 0, piped.stderr);
    assert.match(piped.stdout, /function ctr\/web: updated/);
    assert.doesNotMatch(piped.stdout + piped.stderr, /pulling image|for ctr\/web: ready/);
  });
});
