import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { request } from 'undici';
import { runKumo } from '../helpers/cli.js';
import { startTestServer } from '../helpers/server.js';

function tempProject(t: import('node:test').TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-fc3-project-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const PYTHON_ECHO = `import json

def handler(event, context):
    e = json.loads(event)
    return {
        'statusCode': 200,
        'headers': {
            'Content-Type': e['headers'].get('Content-Type', 'text/plain'),
            'X-Base64': str(e['isBase64Encoded']).lower(),
            'X-Path': e['requestContext']['http']['path'],
            'X-Raw-Path': e['rawPath'],
            'X-Query': json.dumps(e['queryParameters'], sort_keys=True),
            'X-Multi': e['headers'].get('X-Multi', ''),
            'X-Account': e['requestContext']['accountId'],
        },
        'body': e['body'],
        'isBase64Encoded': e['isBase64Encoded'],
    }
`;

const NODE_HANDLER = `exports.handler = async (event, context) => {
  const e = JSON.parse(event.toString());
  if (e.rawPath === '/plain') return 'just text';
  if (e.rawPath === '/fail') throw new Error('boom');
  return {
    statusCode: 201,
    headers: { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] },
    body: JSON.stringify({ method: e.requestContext.http.method, ua: e.requestContext.http.userAgent,
      domain: e.requestContext.domainName, version: e.version, requestId: e.requestContext.requestId === context.requestId }),
  };
};
`;

const S_YAML = `edition: 3.0.0
name: fc3-app
access: default
vars:
  region: cn-hangzhou
resources:
  echo:
    component: fc3
    actions:
      pre-\${regex('deploy|local')}:
        - run: echo built > built.txt
          path: ./py
    props:
      region: \${vars.region}
      functionName: fc3-echo
      runtime: python3.10
      code: ./py
      handler: index.handler
      memorySize: 128
      timeout: 10
      logConfig: auto
      triggers:
        - triggerName: http
          triggerType: http
          triggerConfig:
            authType: anonymous
            methods: [GET, POST]
  web:
    component: fc3
    props:
      region: \${vars.region}
      functionName: \${resources.echo.props.functionName}-node
      runtime: nodejs20
      code: ./node
      handler: index.handler
      triggers:
        - triggerName: http
          triggerType: http
          triggerConfig: { authType: anonymous, methods: [GET, POST] }
      customDomain:
        domainName: fc3-web.localhost
        protocol: HTTP
        route: { path: /*, qualifier: LATEST }
  raw:
    component: fc3
    props:
      functionName: fc3-raw
      runtime: custom.debian10
      code: ./custom
      customRuntimeConfig: { command: [./bootstrap], port: 9000 }
      triggers:
        - triggerName: http
          triggerType: http
          triggerConfig: { authType: anonymous, methods: [POST] }
`;

/** A custom runtime's web server: FC 3.0 keeps FC 2.0's raw HTTP for it. */
const CUSTOM_BOOTSTRAP = `#!/usr/bin/env node
require('node:http').createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => res.end('raw:' + req.method + ':' + Buffer.concat(chunks)));
}).listen(process.env.FC_SERVER_PORT);
`;

test('kumo deploy (s.yaml edition 3.0.0): FC 3.0 functions whose HTTP triggers call event handlers', async (t) => {
  const { server, fc } = await startTestServer(t);
  const dir = tempProject(t);
  mkdirSync(join(dir, 'py'));
  mkdirSync(join(dir, 'node'));
  mkdirSync(join(dir, 'custom'));
  writeFileSync(join(dir, 'custom', 'bootstrap'), CUSTOM_BOOTSTRAP, { mode: 0o755 });
  writeFileSync(join(dir, 'py', 'index.py'), PYTHON_ECHO);
  writeFileSync(join(dir, 'node', 'index.js'), NODE_HANDLER);
  writeFileSync(join(dir, 's.yaml'), S_YAML);

  const first = await runKumo(['deploy'], { endpoint: server.url, cwd: dir });
  assert.equal(first.code, 0, first.stderr + first.stdout);
  assert.match(first.stdout, /✓ FC 3.0 function fc3-echo: created/);
  assert.match(first.stdout, /✓ trigger fc3-echo\/http: created/);
  assert.match(first.stdout, /✓ FC 3.0 function fc3-echo-node: created/);
  assert.match(first.stdout, /✓ custom domain fc3-web.localhost: created/);
  // The function is FC 3.0's: FC 2.0 sees it as the service of its name holding it.
  assert.equal((await fc.getFunction('fc3-echo', 'fc3-echo')).data.runtime, 'python3.10');
  const urls = [...first.stdout.matchAll(/HTTP trigger: (\S+)/g)].map((m) => m[1] ?? '');
  assert.equal(urls.length, 3, first.stdout);
  const [echoUrl = '', nodeUrl = '', rawUrl = ''] = urls;

  const again = await runKumo(['deploy'], { endpoint: server.url, cwd: dir });
  assert.equal(again.code, 0, again.stderr + again.stdout);
  assert.match(again.stdout, /Nothing changed: every resource already matches the template/);

  // Python: the event's body comes back; repeated headers and query values are joined with commas.
  const text = await request(`${echoUrl}a%20b/c?x=1&x=2&y=`, {
    method: 'POST',
    headers: ['content-type', 'text/plain', 'x-multi', 'one', 'x-multi', 'two'],
    body: 'hello FC 3.0',
  });
  assert.equal(text.statusCode, 200);
  assert.equal(await text.body.text(), 'hello FC 3.0');
  assert.equal(text.headers['x-base64'], 'false');
  assert.equal(text.headers['x-path'], '/a b/c');
  assert.equal(text.headers['x-raw-path'], '/a%20b/c');
  assert.equal(text.headers['x-query'], '{"x": "1,2", "y": ""}');
  assert.equal(text.headers['x-multi'], 'one,two');
  assert.match(String(text.headers['x-account']), /^\d+$/);

  // A binary body goes Base64 (isBase64Encoded) and comes back byte for byte.
  const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const binary = await request(echoUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  assert.equal(binary.statusCode, 200);
  assert.equal(binary.headers['x-base64'], 'true');
  assert.deepEqual(Buffer.from(await binary.body.arrayBuffer()), bytes);

  // Node.js: a structured answer (status, repeated headers), a plain result as a 200 body, a failure as 502.
  const node = await request(nodeUrl, { headers: { 'user-agent': 'kumo-test/1' } });
  assert.equal(node.statusCode, 201);
  assert.deepEqual(node.headers['set-cookie'], ['a=1', 'b=2']);
  const answer = (await node.body.json()) as Record<string, unknown>;
  assert.deepEqual(
    { ...answer, domain: undefined },
    { method: 'GET', ua: 'kumo-test/1', version: 'v1', requestId: true, domain: undefined },
  );
  const plain = await request(`${nodeUrl}plain`);
  assert.equal(plain.statusCode, 200);
  assert.equal(plain.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(await plain.body.text(), 'just text');
  const failed = await request(`${nodeUrl}fail`);
  assert.equal(failed.statusCode, 502);
  assert.match(await failed.body.text(), /boom/);

  // Through its custom domain too: the function sees the whole path and the domain name.
  const viaDomain = await request(`${server.url}/plain`, { headers: { host: 'fc3-web.localhost' } });
  assert.equal(await viaDomain.body.text(), 'just text');
  const domainAnswer = await request(`${server.url}/x`, { headers: { host: 'fc3-web.localhost' } });
  assert.equal(((await domainAnswer.body.json()) as { domain: string }).domain, 'fc3-web.localhost');

  // A custom runtime created through FC 3.0 keeps FC 2.0's raw HTTP.
  const raw = await request(rawUrl, { method: 'POST', body: 'as is' });
  assert.equal(await raw.body.text(), 'raw:POST:as is');

  // A changed handler and a changed trigger are updated, the rest left alone.
  writeFileSync(join(dir, 'py', 'index.py'), `${PYTHON_ECHO}# v2\n`);
  writeFileSync(join(dir, 's.yaml'), S_YAML.replace('methods: [POST]', 'methods: [POST, PUT]'));
  const third = await runKumo(['deploy', '--json'], { endpoint: server.url, cwd: dir });
  assert.equal(third.code, 0, third.stderr + third.stdout);
  const changes = (
    JSON.parse(third.stdout) as { resources: { kind: string; name: string; change: string }[] }
  ).resources
    .filter((r) => r.change !== 'unchanged')
    .map((r) => `${r.kind} ${r.name}: ${r.change}`);
  assert.deepEqual(changes, ['FC 3.0 function fc3-echo: updated', 'trigger fc3-raw/http: updated']);
  const put = await request(rawUrl, { method: 'PUT', body: 'now' });
  assert.equal(await put.body.text(), 'raw:PUT:now');
});

test('kumo deploy refuses an s.yaml with placeholders, or of an unknown edition or component', async (t) => {
  const { server, fc } = await startTestServer(t);
  const dir = tempProject(t);
  const deploy = async (yaml: string) => {
    writeFileSync(join(dir, 's.yaml'), yaml);
    return runKumo(['deploy'], { endpoint: server.url, cwd: dir });
  };
  const placeholders = await deploy(
    'edition: 3.0.0\nresources:\n  f:\n    component: fc3\n    props:\n      functionName: "{{ functionName }}"\n      runtime: "{{ runtime }}"\n',
  );
  assert.equal(placeholders.code, 2);
  assert.match(placeholders.stderr, /s\.yaml:6:22: \{\{ functionName \}\}/);
  assert.match(placeholders.stderr, /s\.yaml:7:17: \{\{ runtime \}\}/);
  const edition = await deploy('edition: 9.9.9\nresources: {}\n');
  assert.equal(edition.code, 2);
  assert.match(
    edition.stderr,
    /edition '9\.9\.9' is not supported: Kumo reads Serverless Devs editions 1\.0\.0 and 2\.0\.0 .* 3\.0\.0/,
  );
  const component = await deploy(
    'edition: 3.0.0\nresources:\n  w:\n    component: fc3-website\n    props: {}\n',
  );
  assert.equal(component.code, 2);
  assert.match(component.stderr, /component 'fc3-website' is not supported: Kumo deploys component fc3/);
  assert.deepEqual((await fc.listServices()).data.services, []);
});
