import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { request } from 'undici';
import { runKumo, startKumo } from '../helpers/cli.js';
import { until } from '../helpers/poll.js';
import { startTestServer } from '../helpers/server.js';

const EXAMPLES = new URL('../../examples/', import.meta.url).pathname;

function tempProject(t: import('node:test').TestContext, from?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-project-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  if (from) cpSync(join(EXAMPLES, from), dir, { recursive: true });
  return dir;
}

test('kumo deploy (Funcraft template.yml): creates, then a second deploy changes nothing; kumo invoke prints logs and result', async (t) => {
  const { server, fc } = await startTestServer(t);
  const endpoint = server.url;
  const http = tempProject(t, 'nodejs-http');
  const first = await runKumo(['deploy'], { endpoint, cwd: http });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /✓ service nodejs-http: created/);
  assert.match(first.stdout, /✓ function nodejs-http\/nodejs-http: created/);
  assert.match(first.stdout, /✓ trigger nodejs-http\/nodejs-http\/http: created/);
  const url = /HTTP trigger: (\S+)/.exec(first.stdout)?.[1] ?? '';
  const page = await request(`${url}hello?x=1`);
  assert.match(await page.body.text(), /"path":"\/hello"/);

  const second = await runKumo(['deploy', '--json'], { endpoint, cwd: http });
  assert.equal(second.code, 0, second.stderr);
  const result = JSON.parse(second.stdout) as { resources: { change: string }[] };
  assert.deepEqual(
    result.resources.map((r) => r.change),
    ['unchanged', 'unchanged', 'unchanged'],
  );

  writeFileSync(join(http, 'index.js'), "exports.handler = (req, res) => res.send('v2');\n");
  const third = await runKumo(['deploy'], { endpoint, cwd: http });
  assert.match(third.stdout, /✓ function nodejs-http\/nodejs-http: updated/);
  assert.equal(await (await request(url)).body.text(), 'v2');

  const event = tempProject(t, 'nodejs-event');
  assert.equal((await runKumo(['deploy', '-t', 'template.yml'], { endpoint, cwd: event })).code, 0);
  const invoked = await runKumo(['invoke', 'nodejs-event/nodejs-event', '-e', 'Kumo'], { endpoint });
  assert.equal(invoked.code, 0, invoked.stderr);
  assert.match(invoked.stdout, /FC Invoke Start RequestId/);
  assert.match(invoked.stdout, /Billed Duration/);
  assert.match(invoked.stdout, /FC Invoke Result:\n\{"message":"Hello, Kumo!"/);

  const asJson = await runKumo(['invoke', 'nodejs-event/nodejs-event', '-e', 'json', '--json'], { endpoint });
  const parsed = JSON.parse(asJson.stdout) as { requestId: string; result: string; logs: string };
  assert.match(parsed.result, /Hello, json!/);
  assert.match(parsed.logs, new RegExp(`FC Invoke End RequestId: ${parsed.requestId}`));
  const queued = await runKumo(['invoke', 'nodejs-event/nodejs-event', '-e', 'later', '--async'], {
    endpoint,
  });
  assert.match(queued.stdout, /queued: request id \S+/);

  const listed = await runKumo(['ls', 'nodejs-event', '--json'], { endpoint });
  assert.deepEqual(
    (JSON.parse(listed.stdout) as { functionName: string }[]).map((f) => f.functionName),
    ['nodejs-event'],
  );
  assert.equal((await runKumo(['rm', 'nodejs-event', '-r'], { endpoint })).code, 0);
  assert.equal((await runKumo(['rm', 'nodejs-http', '-r'], { endpoint })).code, 0);
  assert.deepEqual((await fc.listServices()).data.services, []);
});

test('kumo deploy (Serverless Devs s.yaml) with vars substitution, triggers and .fcignore', async (t) => {
  const { server, fc } = await startTestServer(t);
  const dir = tempProject(t);
  writeFileSync(join(dir, 'index.py'), 'def handler(event, context):\n    return b"py:" + event\n');
  writeFileSync(join(dir, 'secret.txt'), 'do not ship');
  writeFileSync(join(dir, '.fcignore'), '# comment\nsecret.txt\n');
  writeFileSync(
    join(dir, 's.yaml'),
    `edition: 1.0.0
name: app
vars:
  service: sdevs
services:
  fn:
    component: devsapp/fc
    props:
      region: local
      service:
        name: \${vars.service}
        description: from s.yaml
      function:
        name: hello
        runtime: python3.10
        handler: index.handler
        codeUri: ./
        memorySize: 256
      triggers:
        - name: every-hour
          type: timer
          config:
            cronExpression: '0 0 * * * *'
            enable: false
`,
  );
  const deployed = await runKumo(['deploy'], { endpoint: server.url, cwd: dir });
  assert.equal(deployed.code, 0, deployed.stderr + deployed.stdout);
  assert.equal((await fc.getService('sdevs')).data.description, 'from s.yaml');
  assert.equal((await fc.getFunction('sdevs', 'hello')).data.memorySize, 256);
  const invoked = await runKumo(['invoke', 'sdevs/hello', '-e', 'x'], { endpoint: server.url });
  assert.match(invoked.stdout, /py:x/);
  const code = await fc.getFunctionCode('sdevs', 'hello');
  const zip = Buffer.from(await (await request(code.data.url)).body.arrayBuffer());
  assert.ok(
    zip.includes('index.py') && !zip.includes('secret.txt'),
    '.fcignore keeps secret.txt out of the zip',
  );
  const again = await runKumo(['deploy'], { endpoint: server.url, cwd: dir });
  assert.match(again.stdout, /Nothing changed/);
});

test('a broken template is rejected with file, line and property path, before anything changes', async (t) => {
  const { server, fc } = await startTestServer(t);
  const dir = tempProject(t, 'nodejs-event');
  writeFileSync(
    join(dir, 'template.yml'),
    `ROSTemplateFormatVersion: '2015-09-01'
Transform: 'Aliyun::Serverless-2018-04-03'
Resources:
  broken:
    Type: 'Aliyun::Serverless::Service'
    fn:
      Type: 'Aliyun::Serverless::Function'
      Properties:
        Runtime: nodejs20
        Handler: index.handler
        CodeUri: ./
        MemorySize: lots
`,
  );
  const wrongType = await runKumo(['deploy'], { endpoint: server.url, cwd: dir });
  assert.equal(wrongType.code, 2);
  assert.match(wrongType.stderr, /template\.yml:12:21: Resources\.broken\.fn\.Properties\.MemorySize: /);
  writeFileSync(
    join(dir, 'template.yml'),
    readFileSync(join(dir, 'template.yml'), 'utf8').replace('MemorySize: lots', 'Handlr: typo'),
  );
  const unknown = await runKumo(['deploy'], { endpoint: server.url, cwd: dir });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /template\.yml:\d+:\d+: Resources\.broken\.fn\.Properties: .*Handlr/);
  assert.deepEqual((await fc.listServices()).data.services, [], 'nothing was created');
});

test('kumo logs --tail follows a running function', async (t) => {
  const { server } = await startTestServer(t);
  const dir = tempProject(t, 'nodejs-event');
  assert.equal((await runKumo(['deploy'], { endpoint: server.url, cwd: dir })).code, 0);
  const follower = startKumo(['logs', 'nodejs-event/nodejs-event', '--tail', '--since', '1h'], {
    endpoint: server.url,
  });
  t.after(() => follower.kill());
  let output = '';
  follower.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  // From an hour back (`--tail` alone starts from now, which the first call may race); the second call is made
  // only once the first one's lines are out: its lines can only come from following.
  for (const name of ['first', 'second']) {
    assert.equal(
      (await runKumo(['invoke', 'nodejs-event/nodejs-event', '-e', name], { endpoint: server.url })).code,
      0,
    );
    await until(() => output.includes(`greeting ${name}`), {
      what: `kumo logs --tail prints the ${name} call's lines`,
      detail: () => output,
    });
  }
  assert.match(output, /greeting first/);
  assert.match(output, /greeting second/);
  assert.match(output, /FC Invoke End RequestId/);
});
