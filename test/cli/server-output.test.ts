import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseLogFormat, prettyLine } from '../../src/cli/server-output.js';

const at = new Date(2026, 11, 1, 4, 33, 43).getTime();

test('server output: terminal lines say what happened, with the reason, and escape control characters', () => {
  const line = (entry: Record<string, unknown>) => prettyLine({ time: at, level: 30, ...entry }, false);
  assert.equal(
    line({
      event: 'request',
      method: 'GET',
      path: '/x',
      status: 404,
      durationMs: 1.5,
      requestId: 'r1',
      errorCode: 'FunctionNotFound',
    }),
    '04:33:43 INFO  GET /x 404 1.5 ms  r1  FunctionNotFound',
  );
  assert.equal(
    line({
      event: 'instance.crash',
      instanceId: 'i-1',
      poolKey: 's/f',
      reason: 'oom',
      exitCode: null,
      signal: 'SIGKILL',
    }),
    '04:33:43 INFO  instance i-1 of s/f was killed: out of memory',
  );
  assert.equal(
    line({
      event: 'instance.crash',
      instanceId: 'i-1',
      poolKey: 's/f',
      reason: 'crashed',
      exitCode: 3,
      signal: null,
    }),
    '04:33:43 INFO  instance i-1 of s/f crashed: exited with code 3',
  );
  assert.equal(
    line({ event: 'instance.stop', instanceId: 'i-1', poolKey: 's/f', reason: 'idle', ageMs: 125_000 }),
    '04:33:43 INFO  instance i-1 of s/f stopped (idle) after 2 min',
  );
  // A hostile path cannot move the cursor or retitle the terminal.
  const hostile = line({
    event: 'request',
    method: 'GET',
    path: '/\x1b]0;pwned\x07',
    status: 400,
    durationMs: 1,
    requestId: 'r2',
  });
  assert.ok(![...hostile].some((c) => c.charCodeAt(0) < 0x20), hostile);
  assert.match(hostile, /\/\\x1b\]0;pwned\\x07 400/);
  assert.equal(
    prettyLine({ time: at, level: 40, msg: 'something', count: 2, err: { message: 'boom' } }, false),
    '04:33:43 WARN  something  count=2  err=boom',
  );
  assert.ok(prettyLine({ time: at, level: 50, msg: 'x' }, true).endsWith('\x1b[31mERROR\x1b[0m x'));
});

test('server output: --log-format wins, else pretty on a terminal and JSON otherwise', () => {
  assert.equal(chooseLogFormat(undefined, true), 'pretty');
  assert.equal(chooseLogFormat(undefined, false), 'json');
  assert.equal(chooseLogFormat('json', true), 'json');
  assert.equal(chooseLogFormat('pretty', false), 'pretty');
  assert.throws(() => chooseLogFormat('xml', true), /pretty or json/);
});
