import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { runKumo } from '../helpers/cli.js';
import { ACCOUNT_ID, startTestServer } from '../helpers/server.js';

function project(t: TestContext, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-layers-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const HANDLER = `exports.handler = (event, context, callback) =>
  callback(null, require('from-pub') + ' + ' + require('from-shared'));
`;

const funcraft = (layers: string[]) => `ROSTemplateFormatVersion: '2015-09-01'
Transform: 'Aliyun::Serverless-2018-04-03'
Resources:
  lay:
    Type: 'Aliyun::Serverless::Service'
    fn:
      Type: 'Aliyun::Serverless::Function'
      Properties:
        Runtime: nodejs20
        Handler: index.handler
        CodeUri: ./code
        Timeout: 30
        Layers:
${layers.map((l) => `          - ${l}`).join('\n')}
`;

const serverlessDevs = (layers: string[]) => `edition: 1.0.0
name: layers
access: default
services:
  fn:
    component: devsapp/fc
    props:
      region: local
      service:
        name: sdev
      function:
        name: fn
        runtime: nodejs20
        handler: index.handler
        codeUri: ./code
        layers:
${layers.map((l) => `          - ${l}`).join('\n')}
`;

test('kumo layer publish/ls/rm, and kumo deploy of a template with Layers (an ARN and a local folder)', async (t) => {
  const { server, fc } = await startTestServer(t);
  const endpoint = server.url;
  const dir = project(t, {
    'pub/nodejs/node_modules/from-pub/index.js': "module.exports = 'pub layer';",
    'layers/shared/nodejs/node_modules/from-shared/index.js': "module.exports = 'shared layer';",
    'code/index.js': HANDLER,
  });

  const published = await runKumo(['layer', 'publish', 'pub', '--name', 'pub', '-r', 'nodejs20'], {
    endpoint,
    cwd: dir,
  });
  assert.equal(published.code, 0, published.stderr);
  const arn = `acs:fc:local:${ACCOUNT_ID}:layers/pub/versions/1`;
  assert.match(published.stdout, new RegExp(`published pub version 1: ${arn}`));

  writeFileSync(join(dir, 'template.yml'), funcraft([arn, './layers/shared']));
  const first = await runKumo(['deploy'], { endpoint, cwd: dir });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /✓ layer shared version 1: created/);
  assert.match(first.stdout, /✓ function lay\/fn: created/);
  const fn = (await fc.getFunction('lay', 'fn')).data;
  assert.deepEqual(fn.layers, [arn, `acs:fc:local:${ACCOUNT_ID}:layers/shared/versions/1`]);

  const invoked = await runKumo(['invoke', 'lay/fn'], { endpoint });
  assert.equal(invoked.code, 0, invoked.stderr);
  assert.match(invoked.stdout, /pub layer \+ shared layer/);

  // Same folder content: no new layer version, nothing changes.
  const again = await runKumo(['deploy', '--json'], { endpoint, cwd: dir });
  assert.equal(again.code, 0, again.stderr);
  const changes = (JSON.parse(again.stdout) as { resources: { kind: string; change: string }[] }).resources;
  assert.ok(
    changes.every((r) => r.change === 'unchanged'),
    again.stdout,
  );
  // A changed folder publishes version 2 and points the function at it.
  writeFileSync(
    join(dir, 'layers/shared/nodejs/node_modules/from-shared/index.js'),
    "module.exports = 'v2';",
  );
  const third = await runKumo(['deploy'], { endpoint, cwd: dir });
  assert.match(third.stdout, /✓ layer shared version 2: updated/);
  assert.match(third.stdout, /✓ function lay\/fn: updated/);
  assert.match((await runKumo(['invoke', 'lay/fn'], { endpoint })).stdout, /pub layer \+ v2/);

  const listed = await runKumo(['layer', 'ls'], { endpoint });
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^pub +1 .*nodejs20/m);
  assert.match(listed.stdout, /^shared +2 /m);
  const versions = await runKumo(['layer', 'ls', 'shared', '--json'], { endpoint });
  assert.deepEqual(
    (JSON.parse(versions.stdout) as { version: number }[]).map((v) => v.version),
    [1, 2],
  );
  const removed = await runKumo(['layer', 'rm', 'pub', '1'], { endpoint });
  assert.equal(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, /deleted layer pub version 1/);
  assert.doesNotMatch((await runKumo(['layer', 'ls'], { endpoint })).stdout, /^pub /m);
  const byArn = await runKumo(['layer', 'rm', `acs:fc:local:${ACCOUNT_ID}:layers/shared/versions/1`], {
    endpoint,
  });
  assert.match(byArn.stdout, /deleted layer shared version 1/);
  const missing = await runKumo(['layer', 'rm', 'pub', '1'], { endpoint });
  assert.equal(missing.code, 3, 'an API error');
  assert.match(missing.stderr, /LayerNotFound/);
});

test('kumo deploy refuses an unknown layer ARN, another account ARN or a missing folder, before deploying anything', async (t) => {
  const { server, fc } = await startTestServer(t);
  const endpoint = server.url;
  const cases: Array<[string[], RegExp]> = [
    [
      [`acs:fc:local:${ACCOUNT_ID}:layers/nope/versions/1`],
      /function sdev\/fn: layer acs:fc:.*nope.*LayerNotFound/,
    ],
    [['acs:fc:local:999:layers/x/versions/1'], /function sdev\/fn: layer .*account 999/],
    [['./missing'], /function sdev\/fn: layer folder \.\/missing: .*does not exist/],
  ];
  for (const [layers, pattern] of cases) {
    const dir = project(t, { 'code/index.js': HANDLER, 's.yaml': serverlessDevs(layers) });
    const result = await runKumo(['deploy'], { endpoint, cwd: dir });
    assert.equal(result.code, 2, result.stdout);
    assert.match(result.stderr, pattern);
  }
  // Nothing was deployed: no service, no function, no layer.
  assert.deepEqual((await fc.listServices()).data.services, []);
  assert.deepEqual((await fc.listLayers()).data.layers, []);
});
