import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { runKumo } from '../helpers/cli.js';
import { ACCOUNT_ID, startTestServer } from '../helpers/server.js';

const HANDLER = "exports.handler = (event, context, callback) => callback(null, 'ok');\n";

function project(t: TestContext, files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-atomic-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const HEAD = `ROSTemplateFormatVersion: '2015-09-01'
Transform: 'Aliyun::Serverless-2018-04-03'
Resources:
`;

/** One service `svc` with the given service properties and functions (name → extra Properties lines). */
function template(serviceProps: string, functions: Record<string, string>): string {
  const fns = Object.entries(functions)
    .map(
      ([name, extra]) => `    ${name}:
      Type: 'Aliyun::Serverless::Function'
      Properties:
        Handler: index.handler
${extra}`,
    )
    .join('');
  return `${HEAD}  svc:
    Type: 'Aliyun::Serverless::Service'
${serviceProps ? `    Properties:\n${serviceProps}` : ''}${fns}`;
}

const fn = (codeUri: string, runtime = 'nodejs20', more = '') =>
  `        Runtime: ${runtime}\n        CodeUri: ${codeUri}\n${more}`;

test('a missing CodeUri is a located template error (file:line, no ENOENT), and nothing is created', async (t) => {
  const { server, fc } = await startTestServer(t);
  const dir = project(t, {
    'a/index.js': HANDLER,
    'template.yml': template('', { first: fn('./a'), second: fn('./nope') }),
  });
  const result = await runKumo(['deploy'], { endpoint: server.url, cwd: dir });
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.match(
    result.stderr,
    /^kumo: InvalidTemplate: \S*template\.yml:\d+:\d+: Resources\.svc\.second\.Properties\.CodeUri: \.\/nope does not exist/,
  );
  assert.doesNotMatch(result.stderr, /ENOENT|scandir|\n\s+at /);
  assert.deepEqual((await fc.listServices()).data.services, []);
});

test('an unsupported runtime, a bad layer ARN or a route to an unknown function change nothing, all reported at once', async (t) => {
  const { server, fc } = await startTestServer(t);
  const endpoint = server.url;
  const files = { 'a/index.js': HANDLER };
  const fresh = project(t, {
    ...files,
    'template.yml': template('', { good: fn('./a'), bad: fn('./a', 'nodejs99') }),
  });
  const unsupported = await runKumo(['deploy'], { endpoint, cwd: fresh });
  assert.equal(unsupported.code, 2, unsupported.stdout + unsupported.stderr);
  assert.match(
    unsupported.stderr,
    /kumo: InvalidTemplate: template\.yml: 1 problem\(s\); nothing was deployed/,
  );
  assert.match(unsupported.stderr, /function svc\/bad: .*Runtime is set to an invalid value: 'nodejs99'/);
  assert.deepEqual((await fc.listServices()).data.services, [], 'the service was not created');

  // Deployed once; then a new description alongside a wrong layer ARN and a route to nowhere.
  const dir = project(t, { ...files, 'template.yml': template('', { good: fn('./a') }) });
  assert.equal((await runKumo(['deploy'], { endpoint, cwd: dir })).code, 0);
  const arn = `acs:fc:local:${ACCOUNT_ID}:layers/nope/versions/1`;
  writeFileSync(
    join(dir, 'template.yml'),
    `${template('      Description: changed\n', {
      good: fn('./a', 'nodejs20', `        Layers:\n          - ${arn}\n`),
    })}  api.example.com:
    Type: 'Aliyun::Serverless::CustomDomain'
    Properties:
      Protocol: HTTP
      RouteConfig:
        Routes:
          '/x':
            ServiceName: svc
            FunctionName: elsewhere
`,
  );
  const refused = await runKumo(['deploy'], { endpoint, cwd: dir });
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /2 problem\(s\); nothing was deployed/);
  assert.match(refused.stderr, /function svc\/good: layer acs:fc:\S+nope\S+: LayerNotFound/);
  assert.match(
    refused.stderr,
    /route \/x: function svc\/elsewhere is neither in the template nor on the server/,
  );
  assert.equal(refused.stdout, '', 'not even the service is reported as updated');
  assert.notEqual((await fc.getService('svc')).data.description, 'changed', 'the service was not updated');
  assert.deepEqual((await fc.listCustomDomains()).data.customDomains, []);
});

test('a service with LogConfig and VpcConfig (Funcraft PascalCase) deploys as unchanged the second time', async (t) => {
  const { server } = await startTestServer(t);
  const props = `      Description: logged
      LogConfig:
        Project: my-project
        Logstore: my-store
        EnableRequestMetrics: true
      VpcConfig:
        VpcId: vpc-1
        VSwitchIds: [vsw-1]
        SecurityGroupId: sg-1
`;
  const dir = project(t, { 'a/index.js': HANDLER, 'template.yml': template(props, { f: fn('./a') }) });
  assert.equal((await runKumo(['deploy'], { endpoint: server.url, cwd: dir })).code, 0);
  const again = await runKumo(['deploy', '--json'], { endpoint: server.url, cwd: dir });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(
    (JSON.parse(again.stdout) as { resources: { change: string }[] }).resources.map((r) => r.change),
    ['unchanged', 'unchanged'],
  );
});

test('kumo deploy --dry-run prints create / update / unchanged per resource and writes nothing', async (t) => {
  const { server, fc } = await startTestServer(t);
  const endpoint = server.url;
  const events =
    '      Events:\n        web:\n          Type: HTTP\n          Properties:\n            AuthType: ANONYMOUS\n            Methods: [GET]\n';
  const dir = project(t, {
    'a/index.js': HANDLER,
    'template.yml': template('', { f: `${fn('./a', 'nodejs20', '        MemorySize: 256\n')}${events}` }),
  });
  const planned = await runKumo(['deploy', '--dry-run'], { endpoint, cwd: dir });
  assert.equal(planned.code, 0, planned.stderr);
  assert.match(planned.stdout, /^\+ service svc: create$/m);
  assert.match(planned.stdout, /^\+ function svc\/f: create$/m);
  assert.match(planned.stdout, /^\+ trigger svc\/f\/web: create$/m);
  assert.match(planned.stdout, /nothing was written/);
  assert.deepEqual((await fc.listServices()).data.services, [], 'a dry run writes nothing');

  assert.equal((await runKumo(['deploy'], { endpoint, cwd: dir })).code, 0);
  writeFileSync(join(dir, 'a/index.js'), HANDLER.replace("'ok'", "'v2'"));
  writeFileSync(
    join(dir, 'template.yml'),
    template('', { f: `${fn('./a', 'nodejs20', '        MemorySize: 512\n')}${events}` }),
  );
  const json = await runKumo(['deploy', '--dry-run', '--json'], { endpoint, cwd: dir });
  assert.deepEqual(JSON.parse(json.stdout), {
    plan: [
      { kind: 'service', name: 'svc', change: 'unchanged' },
      { kind: 'function', name: 'svc/f', change: 'update', fields: ['memorySize', 'code'] },
      { kind: 'trigger', name: 'svc/f/web', change: 'unchanged' },
    ],
  });
  assert.equal((await fc.getFunction('svc', 'f')).data.memorySize, 256, 'still the deployed value');
});

test('a deploy that fails part-way says what was applied and what was not, and a re-run converges', async (t) => {
  const { server, fc } = await startTestServer(t, { maxZipBytes: 64 * 1024 });
  const endpoint = server.url;
  const dir = project(t, {
    'small/index.js': HANDLER,
    'big/index.js': HANDLER,
    'big/noise.bin': randomBytes(256 * 1024),
    'template.yml': template('', { small: fn('./small'), big: fn('./big') }),
  });
  const failed = await runKumo(['deploy'], { endpoint, cwd: dir });
  assert.equal(failed.code, 3, failed.stdout + failed.stderr);
  assert.match(failed.stderr, /^kumo: \w+: deploy stopped at function svc\/big: /);
  assert.match(failed.stderr, /applied: service svc \(created\), function svc\/small \(created\)\n/);
  assert.match(failed.stderr, /not applied: function svc\/big \(create\)\n/);
  assert.match(failed.stderr, /hint: fix the cause and run `kumo deploy` again/);

  rmSync(join(dir, 'big/noise.bin'));
  const rerun = await runKumo(['deploy'], { endpoint, cwd: dir });
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.match(
    rerun.stdout,
    /· service svc: unchanged\n· function svc\/small: unchanged\n✓ function svc\/big: created/,
  );
  assert.deepEqual((await fc.listFunctions('svc')).data.functions.map((f) => f.functionName).sort(), [
    'big',
    'small',
  ]);
});
