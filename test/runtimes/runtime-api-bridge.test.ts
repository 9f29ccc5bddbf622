import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { test } from 'node:test';
import { request } from 'undici';
import { until } from '../helpers/poll.js';
import { freePort } from '../helpers/ports.js';

/**
 * The runtime API bridge as a real process in front of a scripted program (test/fixtures/runtime-api/scripted.py),
 * called the way Kumo calls an instance: the answers a hostile or broken program gets, which Kumo's own limits
 * would hide end to end (go1.test.ts covers the bridge behind a real Kumo).
 */
const BRIDGE = new URL('../../runtimes/runtime-api/bridge.cjs', import.meta.url).pathname;
const SCRIPTED = new URL('../fixtures/runtime-api/scripted.py', import.meta.url).pathname;

async function startBridge(t: import('node:test').TestContext): Promise<string> {
  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [BRIDGE, SCRIPTED], {
    env: { ...process.env, FC_SERVER_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
  t.after(() => child.kill());
  const accepts = () =>
    new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => resolve(true)).on('error', () => resolve(false));
      socket.on('connect', () => socket.destroy());
    });
  await until(accepts, { what: 'the bridge listens once the program polls', detail: () => output });
  return `http://127.0.0.1:${port}`;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

async function call(
  base: string,
  event: unknown,
  options: { id?: string; controlPath?: string; signal?: AbortSignal } = {},
): Promise<Answer> {
  const controlPath = options.controlPath ?? '/invoke';
  const response = await request(`${base}${controlPath === '/invoke' ? '/invoke' : '/some/path'}`, {
    method: 'POST',
    headers: {
      'X-Fc-Request-Id': options.id ?? crypto.randomUUID(),
      'X-Fc-Control-Path': controlPath,
      'X-Fc-Function-Timeout': '30',
    },
    body: JSON.stringify(event),
    signal: options.signal,
  });
  return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
}

const failure = (answer: Answer) => {
  assert.equal(answer.status, 404, answer.body);
  assert.equal(answer.headers['x-fc-status'], '404');
  assert.equal(answer.headers['x-fc-error-type'], 'UnhandledInvocationError');
  return JSON.parse(answer.body) as { errorMessage: string; errorType?: string };
};

test('a runtime API bridge answers with what the program answers, within bounds', async (t) => {
  const base = await startBridge(t);
  const echoed = await call(base, { do: 'echo', n: 1 });
  assert.equal(echoed.status, 200);
  assert.deepEqual(JSON.parse(echoed.body), { do: 'echo', n: 1 });

  await t.test('an answer past 32 MB fails the call; the program serves on', async () => {
    const error = failure(await call(base, { do: 'big', bytes: 32 * 1024 * 1024 + 1 }));
    assert.match(error.errorMessage, /response size exceeds maximum allowed size \(33554432 bytes\)/);
    assert.equal((await call(base, { do: 'echo' })).status, 200);
  });

  await t.test('malformed HTTP response params fail the call, not the bridge', async () => {
    const error = failure(await call(base, { do: 'badparams' }, { controlPath: '/http-invoke' }));
    assert.equal(error.errorType, 'InvalidHttpResponse');
  });

  await t.test('a plain-text error becomes the error message', async () => {
    assert.deepEqual(failure(await call(base, { do: 'errortext' })), { errorMessage: 'plain text trouble' });
  });

  await t.test('a second call with a request id in flight is refused', async () => {
    const both = await Promise.all([1, 2].map(() => call(base, { do: 'late', ms: 400 }, { id: 'same-id' })));
    const taken = both.filter((answer) => answer.status === 200);
    assert.deepEqual(
      taken.map((answer) => answer.body),
      ['late'],
    );
    const refused = failure(both.find((answer) => answer.status !== 200) as Answer);
    assert.match(refused.errorMessage, /request id same-id is already in flight/);
  });

  await t.test('an answer for a call Kumo gave up on is refused', async () => {
    await assert.rejects(call(base, { do: 'late', ms: 500 }, { signal: AbortSignal.timeout(100) }));
    const kept = await until(
      async () => {
        const statuses = JSON.parse((await call(base, { do: 'report' })).body) as number[];
        return statuses.includes(400) && statuses;
      },
      { what: 'the late answer was refused' },
    );
    assert.deepEqual(kept, [200, 400], 'the in-flight answer taken, the abandoned one refused');
  });
});
