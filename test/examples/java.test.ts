// examples/java-event and examples/java-http, built by scripts/setup.d/java.sh (`mvn package`), deployed with
// `kumo deploy` (the template's CodeUri is the shaded jar, uploaded as it is) and called as a user would.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { runKumo } from '../helpers/cli.js';
import { startTestServer } from '../helpers/server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('examples/java-event and java-http deploy with kumo deploy and answer', async (t) => {
  for (const name of ['java-event', 'java-http']) {
    const jar = `${ROOT}examples/${name}/target/${name}.jar`;
    assert.ok(existsSync(jar), `${jar} is built by scripts/setup.d/java.sh`);
  }
  const kumo = await startTestServer(t);
  const endpoint = kumo.server.url;
  for (const name of ['java-event', 'java-http']) {
    const deploy = await runKumo(['deploy', '-t', `examples/${name}/template.yml`], { endpoint, cwd: ROOT });
    assert.equal(deploy.code, 0, `kumo deploy ${name} failed:\n${deploy.stdout}${deploy.stderr}`);
  }

  const first = await runKumo(['invoke', 'java-event/java-event', '-e', '{"name":"Kumo"}'], {
    endpoint,
    cwd: ROOT,
  });
  const output = `${first.stdout}${first.stderr}`;
  assert.equal(first.code, 0, output);
  assert.match(first.stdout, /FC Invoke Result:\n\{"message":"Hello, Kumo!","invocations":1\}\n/, output);
  const requestId = /FC Invoke Start RequestId: (\S+)/.exec(first.stdout)?.[1];
  assert.match(first.stdout, new RegExp(`Z ${requestId} \\[INFO\\] initialized java-event$`, 'm'), output);
  assert.match(first.stdout, new RegExp(`Z ${requestId} \\[INFO\\] greeting Kumo$`, 'm'), output);

  const response = await request(`${endpoint}/2016-08-15/proxy/java-http/java-http/hello?name=Kumo`, {
    method: 'POST',
    body: 'some body',
  });
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['x-powered-by'], 'kumo java11');
  assert.deepEqual(await response.body.json(), {
    message: 'Hello, Kumo!',
    method: 'POST',
    path: '/hello',
    bodyLength: 9,
  });
});
