import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { cliEnv, runKumo, startKumo } from '../helpers/cli.js';
import { until } from '../helpers/poll.js';
import { startTestServer } from '../helpers/server.js';

const KUMO = new URL('../../bin/kumo.js', import.meta.url).pathname;
const EXAMPLES = new URL('../../examples/', import.meta.url).pathname;
const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

function example(t: TestContext, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-output-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(EXAMPLES, name), dir, { recursive: true });
  return dir;
}

/** Runs a shell command without blocking this process (the test server answers from it). */
async function shell(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn('bash', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  await once(child, 'close');
  return stdout;
}

/** Runs `kumo <args> | head -1`; returns kumo's own exit code and stderr. */
async function throughHead(args: string, endpoint: string, cwd: string) {
  const errFile = join(cwd, 'kumo-stderr.txt');
  const status = await shell(
    `node ${KUMO} ${args} 2>"${errFile}" | head -1 >/dev/null; echo "\${PIPESTATUS[0]}"`,
    cwd,
    cliEnv(endpoint),
  );
  const stderr = readFileSync(errFile, 'utf8');
  rmSync(errFile);
  return { code: Number(status.trim()), stderr };
}

test('kumo serve on a busy port exits at once, non-zero, saying so', async (t) => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  t.after(() => busy.close());
  const port = (busy.address() as { port: number }).port;
  const dataDir = mkdtempSync(join(tmpdir(), 'kumo-busy-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [KUMO, 'serve', '--port', String(port), '--data-dir', dataDir], {
    env: { ...process.env, KUMO_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = await once(child, 'exit');
  assert.equal(code, 2, stderr);
  assert.match(stderr, new RegExp(`kumo: PortInUse: port ${port} on 127\\.0\\.0\\.1 is already in use`));
  assert.match(stderr, /hint: .*--port/);
});

test('one error printer: API errors, a stopped server, a non-empty service, usage errors, with exit codes', async (t) => {
  const { server } = await startTestServer(t);
  const endpoint = server.url;
  const dir = example(t, 'nodejs-event');
  assert.equal((await runKumo(['deploy'], { endpoint, cwd: dir })).code, 0);

  const missing = await runKumo(['invoke', 'nodejs-event/nope'], { endpoint });
  assert.equal(missing.code, 3);
  assert.match(
    missing.stderr,
    /^kumo: FunctionNotFound: function 'nope' does not exist in service 'nodejs-event'\n/,
  );
  assert.doesNotMatch(missing.stderr, /[{}]/, 'no raw JSON');
  const rm = await runKumo(['rm', 'nodejs-event/nope'], { endpoint });
  assert.equal(rm.code, 3);
  assert.equal(rm.stderr.split('\n')[0], missing.stderr.split('\n')[0], 'invoke and rm print errors alike');

  const notEmpty = await runKumo(['rm', 'nodejs-event'], { endpoint });
  assert.equal(notEmpty.code, 3);
  assert.match(notEmpty.stderr, /^kumo: ServiceNotEmpty: /);
  assert.match(notEmpty.stderr, /hint: `kumo rm -r <service>`/);

  const stopped = await runKumo(['invoke', 'nodejs-event/nodejs-event'], { endpoint: 'http://127.0.0.1:9' });
  assert.equal(stopped.code, 3);
  assert.match(
    stopped.stderr,
    /^kumo: ServerNotRunning: the Kumo server at http:\/\/127\.0\.0\.1:9 is not running \(connection refused\)\nhint: start it with `kumo serve`/,
  );

  const usage = await runKumo(['invoke', 'no-slash'], { endpoint });
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /^kumo: InvalidUsage: expected <service>\/<function>, got 'no-slash'/);
  assert.equal((await runKumo(['deploy', '--no-such-flag'], { endpoint, cwd: dir })).code, 2);

  const version = await runKumo(['--version'], { endpoint });
  assert.equal(version.code, 0);
  assert.equal(version.stdout.trim(), VERSION);
});

test('kumo logs | head and kumo deploy | head -1 end quietly (no EPIPE stack trace)', async (t) => {
  const { server, client } = await startTestServer(t);
  const endpoint = server.url;
  const dir = example(t, 'nodejs-event');
  assert.equal((await runKumo(['deploy'], { endpoint, cwd: dir })).code, 0);
  // More than a pipe buffer (64 KB) of log lines: `head -1` closes the pipe while kumo still writes.
  for (let i = 0; i < 30; i++) {
    const call = await client.send(
      'POST',
      '/services/nodejs-event/functions/nodejs-event/invocations',
      'x'.repeat(4000),
    );
    assert.equal(call.status, 200);
  }
  const logs = await throughHead('logs nodejs-event/nodejs-event', endpoint, dir);
  assert.doesNotMatch(logs.stderr, /EPIPE|\n\s+at /, logs.stderr);
  assert.equal(logs.code, 0, logs.stderr);
  const deploy = await throughHead('deploy', endpoint, dir);
  assert.doesNotMatch(deploy.stderr, /EPIPE|\n\s+at /, deploy.stderr);
  assert.equal(deploy.code, 0, deploy.stderr);
});

test('kumo logs --tail follows from now (not the history); --since replays from then', async (t) => {
  const { server } = await startTestServer(t);
  const endpoint = server.url;
  const dir = example(t, 'nodejs-event');
  assert.equal((await runKumo(['deploy'], { endpoint, cwd: dir })).code, 0);
  assert.equal((await runKumo(['invoke', 'nodejs-event/nodejs-event', '-e', 'old'], { endpoint })).code, 0);
  const follower = startKumo(['logs', 'nodejs-event/nodejs-event', '--tail'], { endpoint });
  t.after(() => follower.kill());
  let output = '';
  follower.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  // Calls made before the follower has read where "now" is would count as history: call until one shows.
  let n = 0;
  await until(
    async () => {
      await runKumo(['invoke', 'nodejs-event/nodejs-event', '-e', `new-${n++}`], { endpoint });
      return output.includes('greeting new-');
    },
    { what: 'kumo logs --tail prints a new call', detail: () => output },
  );
  assert.doesNotMatch(output, /greeting old/, 'the history before the follow is not replayed');

  const since = startKumo(['logs', 'nodejs-event/nodejs-event', '--tail', '--since', '1h'], { endpoint });
  t.after(() => since.kill());
  let replayed = '';
  since.stdout?.on('data', (chunk) => {
    replayed += chunk;
  });
  await until(() => replayed.includes('greeting old'), {
    what: '--tail --since 1h replays the last hour first',
    detail: () => replayed,
  });
});

const ESC = '\u001b[';
const hasScript = spawnSync('script', ['--version']).status === 0;

test('colour and progress lines only on a terminal, and never with NO_COLOR', {
  skip: hasScript ? false : 'needs `script` (util-linux) for a pseudo-terminal',
}, async (t) => {
  const { server } = await startTestServer(t);
  const dir = example(t, 'nodejs-event');
  const piped = await runKumo(['deploy', '--dry-run'], { endpoint: server.url, cwd: dir });
  assert.equal(piped.code, 0, piped.stderr);
  assert.ok(!(piped.stdout + piped.stderr).includes(ESC), 'no escape codes into a pipe');
  assert.doesNotMatch(piped.stderr, /zipping/, 'no progress lines into a pipe');

  const onTerminal = (env: NodeJS.ProcessEnv) =>
    shell(`script -qec 'node ${KUMO} deploy --dry-run' /dev/null`, dir, { ...cliEnv(server.url), ...env });
  const coloured = await onTerminal({ TERM: 'xterm' });
  assert.ok(coloured.includes(`${ESC}32m+${ESC}0m service nodejs-event: create`), coloured);
  assert.match(coloured, /zipped nodejs-event\/nodejs-event: \d+ (B|KB)/);
  assert.ok(!(await onTerminal({ TERM: 'xterm', NO_COLOR: '1' })).includes(ESC));
});
