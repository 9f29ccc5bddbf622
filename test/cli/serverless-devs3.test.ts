import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readTemplate, TemplateError } from '../../src/cli/template/index.js';

function project(t: import('node:test').TestContext, yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-sd3-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 's.yaml'), yaml);
  return { dir, read: () => readTemplate(dir) };
}

const START = `edition: 3.0.0
name: start-app
access: default
vars:
  region: cn-hangzhou
  memory: 256
resources:
  api:
    component: fc3
    actions:
      pre-\${regex('deploy|local')}:
        - run: echo \${vars.region} > built.txt
          path: ./code
      success-deploy:
        - run: echo done
      pre-local:
        - component: fc3 invoke
    props:
      region: \${vars.region}
      functionName: hello-\${env('KUMO_SD3_SUFFIX', 'x')}
      runtime: python3.10
      code: ./code
      handler: index.handler
      memorySize: \${vars.memory}
      timeout: 30
      logConfig: auto
      vpcConfig: { vpcId: vpc-1, vSwitchIds: [vsw-1], securityGroupId: sg-1 }
      environmentVariables: { STAGE: "\${env.KUMO_SD3_STAGE}", N: 3 }
      instanceLifecycleConfig:
        initializer: { handler: index.init, timeout: 5 }
      layers: [./layer]
      triggers:
        - triggerName: http
          triggerType: http
          triggerConfig: { authType: anonymous, methods: [GET, POST] }
      customDomain:
        domainName: api.localhost
        route: { path: /*, qualifier: LATEST }
  worker:
    component: devsapp/fc3@0.1.2
    props:
      functionName: \${resources.api.props.functionName}-worker
      runtime: nodejs20
      handler: index.handler
      code: ./worker
      environmentVariables: \${resources.api.props.environmentVariables}
`;

test('an edition 3.0.0 s.yaml: resources of component fc3 become FC 3.0 functions, expressions evaluated', (t) => {
  process.env.KUMO_SD3_STAGE = 'prod';
  t.after(() => delete process.env.KUMO_SD3_STAGE);
  const { dir, read } = project(t, START);
  const p = read();
  assert.deepEqual(p.customDomains, []);
  const [api, worker] = p.services;
  assert.equal(api?.serviceName, 'hello-x');
  assert.equal(api?.fcVersion, 'v3');
  assert.deepEqual(api?.functions[0], {
    functionName: 'hello-x',
    codeDir: join(dir, 'code'),
    actions: [
      { hook: 'pre-deploy', run: 'echo cn-hangzhou > built.txt', path: join(dir, 'code') },
      { hook: 'post-deploy', run: 'echo done', path: dir },
    ],
    config: {
      runtime: 'python3.10',
      handler: 'index.handler',
      memorySize: 256,
      timeout: 30,
      vpcConfig: { vpcId: 'vpc-1', vSwitchIds: ['vsw-1'], securityGroupId: 'sg-1' },
      environmentVariables: { STAGE: 'prod', N: '3' },
      instanceLifecycleConfig: { initializer: { handler: 'index.init', timeout: 5 } },
      layers: ['./layer'],
    },
    triggers: [
      {
        triggerName: 'http',
        triggerType: 'http',
        qualifier: undefined,
        triggerConfig: { authType: 'anonymous', methods: ['GET', 'POST'] },
      },
    ],
  });
  assert.deepEqual(api?.customDomains, [
    {
      domainName: 'api.localhost',
      protocol: 'HTTP',
      routes: [
        {
          path: '/*',
          serviceName: 'hello-x',
          functionName: 'hello-x',
          qualifier: 'LATEST',
          methods: undefined,
        },
      ],
    },
  ]);
  assert.equal(worker?.serviceName, 'hello-x-worker');
  assert.deepEqual(worker?.functions[0]?.config.environmentVariables, { STAGE: 'prod', N: '3' });
});

function refused(t: import('node:test').TestContext, yaml: string, message: RegExp) {
  const { read } = project(t, yaml);
  assert.throws(read, (error: unknown) => {
    assert.ok(error instanceof TemplateError, String(error));
    assert.match(error.message, message);
    return true;
  });
}

test('placeholders left unfilled are named with their file:line:col', (t) => {
  refused(
    t,
    'edition: 3.0.0\nresources:\n  f:\n    component: fc3\n    props:\n      # {{ ignored }}\n      functionName: "{{ functionName }}"\n      region: {{ region }}\n',
    /placeholders[\s\S]*s\.yaml:7:22: \{\{ functionName \}\}\n\s+\S*s\.yaml:8:15: \{\{ region \}\}$/,
  );
});

test('an unknown edition or component is refused, naming what is supported', (t) => {
  refused(
    t,
    'edition: 4.0.0\nresources: {}\n',
    /s\.yaml:1:10: edition: edition '4.0.0' is not supported: .*3\.0\.0/,
  );
  refused(
    t,
    'edition: 3.0.0\nresources:\n  site:\n    component: fc3-domain\n    props: {}\n',
    /s\.yaml:4:16: resources\.site\.component: component 'fc3-domain' is not supported: Kumo deploys component fc3/,
  );
  refused(t, 'edition: 3.0.0\nservices:\n  a: { component: fc3 }\n', /resources: .*expected record/);
});

test('bad expressions and props are located', (t) => {
  const head = 'edition: 3.0.0\nresources:\n  f:\n    component: fc3\n    props:\n      runtime: nodejs20\n';
  refused(
    t,
    `${head}      functionName: \${vars.nope}\n`,
    /s\.yaml:7:21: resources\.f\.props\.functionName: \$\{vars\.nope\} is not defined/,
  );
  refused(t, `${head}      functionName: \${env('KUMO_SURELY_UNSET_1')}\n`, /KUMO_SURELY_UNSET_1 is not set/);
  refused(
    t,
    `${head}      functionName: \${config('AccountID')}\n`,
    /config\(\) is not a function Kumo can evaluate/,
  );
  refused(t, `${head}      functionName: \${resources.g.props.x}\n`, /there is no resource 'g'/);
  refused(t, `${head}      functionName: \${resources.f.props.runtime}\n`, /refer back to themselves/);
  refused(
    t,
    `${head}      functionName: a\n      provisionConfig: { target: 1 }\n`,
    /provisionConfig is not deployed by Kumo/,
  );
  refused(t, `${head}      functionName: a\n      cpus: 1\n`, /Unrecognized key.*\(cpus\)/);
  refused(
    t,
    `${head}      functionName: a\n      customDomain: { domainName: auto, route: { path: / } }\n`,
    /domainName 'auto' asks Alibaba Cloud for a test domain/,
  );
  const actions = (a: string) =>
    `edition: 3.0.0\nresources:\n  f:\n    component: fc3\n    actions:\n${a}\n    props: { functionName: a, runtime: nodejs20 }\n`;
  refused(
    t,
    actions(`      pre-\${regex('(')}: []`),
    /s\.yaml:6:\d+: resources\.f\.actions\.pre-\$\{regex\('\('\)\}: .*Invalid regular expression/,
  );
  refused(
    t,
    actions('      fail-deploy: [{ run: x }]'),
    /Kumo runs pre-, success- and post- actions of deploy, not fail- ones/,
  );
  refused(t, actions('      pre-deploy: [{ plugin: x }]'), /Kumo runs `run:` actions only/);
  refused(t, actions('      build: [{ run: x }]'), /'build' is not an action key/);
});
