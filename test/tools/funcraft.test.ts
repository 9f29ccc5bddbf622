import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, ACCOUNT_ID, startTestServer } from '../helpers/server.js';

// The real Funcraft CLI (`@alicloud/fun`, a devDependency) deploying and invoking against Kumo.
const FUN = new URL('../../node_modules/.bin/fun', import.meta.url).pathname;
const FIXTURE = new URL('../fixtures/funcraft/', import.meta.url).pathname;
const RUN_TIMEOUT_MS = 60_000;

interface Run {
  code: number | null;
  output: string;
}

/** Runs `fun <args>` in `cwd`; never throws, so a failure can print what fun said. */
function fun(args: string[], cwd: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [FUN, ...args],
      { cwd, env, timeout: RUN_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        const timedOut = error?.killed ? `\n[killed after ${RUN_TIMEOUT_MS} ms]` : '';
        resolve({ code, output: stripVTControlCharacters(`${stdout}\n${stderr}${timedOut}`) });
      },
    );
    child.stdin?.end();
  });
}

function assertOk(run: Run, what: string): void {
  assert.equal(run.code, 0, `${what} exited with ${run.code}:\n${run.output}`);
}

test('Funcraft: fun deploy -y, fun invoke and a second fun deploy against Kumo', async (t) => {
  assert.ok(existsSync(FUN), `${FUN} is missing: run npm install (@alicloud/fun is a devDependency)`);
  const { server, fc } = await startTestServer(t);

  const work = mkdtempSync(join(tmpdir(), 'kumo-fun-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const project = join(work, 'project');
  cpSync(FIXTURE, project, { recursive: true });
  chmodSync(join(project, 'code', 'bootstrap'), 0o755);
  // A private HOME: fun reads ~/.fcli/config.yaml (report: false turns its Google Analytics visitor off)
  // and keeps its own state under ~/.config.
  const home = join(work, 'home');
  mkdirSync(join(home, '.fcli'), { recursive: true });
  writeFileSync(
    join(home, '.fcli', 'config.yaml'),
    `endpoint: '${server.url}'\nenable_custom_endpoint: true\nreport: false\ntimeout: 60\nretries: 0\n`,
  );
  // A minimal environment, so no CI, proxy or FC_* variable of the caller leaks into fun.
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    FC_ENDPOINT: server.url,
    ENABLE_CUSTOM_ENDPOINT: 'true',
    ACCOUNT_ID,
    REGION: 'cn-hangzhou',
    ACCESS_KEY_ID,
    ACCESS_KEY_SECRET,
    IGNORE_TPL_VALIDATION: '1',
    FUN_DISABLE_VERSION_CHECK: '1',
    NO_UPDATE_NOTIFIER: '1',
  };

  const deploy = await fun(['deploy', '-y'], project, env);
  assertOk(deploy, 'fun deploy -y');
  assert.match(deploy.output, /service funsvc deploy success/, deploy.output);

  const service = (await fc.getService('funsvc')).data;
  assert.equal(service.role, 'acs:ram::1234567890:role/fc-kumo');
  assert.deepEqual(service.nasConfig, {
    userId: 10003,
    groupId: 10003,
    mountPoints: [{ serverAddr: 'example.cn-hangzhou.nas.aliyuncs.com:/', mountDir: '/mnt/nas' }],
  });
  const hello = (await fc.getFunction('funsvc', 'hello')).data as {
    runtime: string;
    timeout: number;
    environmentVariables: Record<string, string>;
    instanceLifecycleConfig: unknown;
  };
  assert.equal(hello.runtime, 'custom');
  assert.equal(hello.timeout, 10);
  assert.equal(hello.environmentVariables.GREETING, 'Hello');
  assert.equal(hello.environmentVariables.ANSWER, '42', 'fun sends numbers as strings');
  assert.deepEqual(
    hello.instanceLifecycleConfig,
    { preFreeze: { handler: '' }, preStop: { handler: '' } },
    "fun's InstanceLifecycleConfig{PreFreeze{Handler}} comes back in lowerCamel",
  );
  await fc.getFunction('funsvc', 'web');
  // getTrigger is missing from test/helpers/fc2.d.ts: the SDK's generic get is the same GET.
  const trigger = (await fc.get('/services/funsvc/functions/web/triggers/http-web')).data as {
    triggerType: string;
    triggerConfig: unknown;
  };
  assert.equal(trigger.triggerType, 'http');
  assert.deepEqual(trigger.triggerConfig, { authType: 'anonymous', methods: ['GET', 'POST'] });

  const invoke = await fun(['invoke', 'funsvc/hello', '-e', 'hello'], project, env);
  assertOk(invoke, 'fun invoke');
  assert.match(invoke.output, /Hello from Funcraft on Kumo: hello \(answer 42\)/, invoke.output);
  assert.match(invoke.output, /FC Invoke Start RequestId: [\w-]+/, invoke.output);
  assert.match(invoke.output, /\[INFO\] event: hello/, invoke.output);
  assert.match(invoke.output, /Billed Duration: \d+ ms/, invoke.output);

  const viaTrigger = await fetch(`${server.url}/2016-08-15/proxy/funsvc/web/path?q=1`, {
    method: 'POST',
    body: 'x',
  });
  assert.equal(await viaTrigger.text(), 'Hi over HTTP: POST /path?q=1');

  const redeploy = await fun(['deploy', '-y'], project, env);
  assertOk(redeploy, 'the second fun deploy -y');
  assert.match(redeploy.output, /service funsvc deploy success/, redeploy.output);
  // Before deploying, fun imports what is deployed into .fun/tmp/deploy/template.yml to show the changes;
  // it writes that file only if it could read every reply.
  const imported = readFileSync(join(project, '.fun', 'tmp', 'deploy', 'template.yml'), 'utf8');
  assert.match(imported, /ServerAddr: 'example\.cn-hangzhou\.nas\.aliyuncs\.com:\/'/, imported);
  assert.match(imported, /http-web:/, imported);
  assert.equal((await fc.getFunction('funsvc', 'hello')).data.timeout, 10);
});
