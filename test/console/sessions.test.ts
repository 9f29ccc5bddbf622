import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyRing } from '../../src/api/index.js';
import { ConsoleSessions, rawWithoutConsoleSession, SignInThrottle } from '../../src/console/index.js';
import type { FcError } from '../../src/model/index.js';

const LIMITS = { maxAgeMs: 10_000, idleMs: 1_000, maxSessions: 3 };

function ring(): KeyRing {
  const keys = new KeyRing();
  keys.add('ROOT', { secret: 'root-secret' });
  return keys;
}

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as FcError).code;
  }
  return 'no error';
};

test('a session lives until its age or idle limit, and only while its key is unchanged', () => {
  const keys = ring();
  const sessions = new ConsoleSessions(keys, LIMITS);
  const a = sessions.signIn('1.1.1.1', 'ROOT', 'root-secret', 0);
  assert.equal(sessions.keyOf(a.id, 900)?.accessKeyId, 'ROOT');
  assert.equal(sessions.keyOf(a.id, 1800)?.accessKeyId, 'ROOT', 'each use extends the idle limit');
  assert.equal(sessions.keyOf(a.id, 2800), undefined, 'idle for 1 s: gone');
  assert.equal(sessions.keyOf(a.id, 100), undefined, 'and it stays gone');

  const b = sessions.signIn('1.1.1.1', 'ROOT', 'root-secret', 0);
  for (let now = 500; now < 10_000; now += 500) assert.ok(sessions.keyOf(b.id, now));
  assert.equal(sessions.keyOf(b.id, 10_000), undefined, 'the absolute age limit holds even with use');

  const c = sessions.signIn('1.1.1.1', 'ROOT', 'root-secret', 0);
  keys.add('ROOT', { secret: 'rotated' });
  assert.equal(sessions.keyOf(c.id, 1), undefined, 'a changed secret ends the session');
  const d = sessions.signIn('1.1.1.1', 'ROOT', 'rotated', 0);
  keys.remove('ROOT');
  assert.equal(sessions.isLive(d.id, 1), false);
  assert.equal(sessions.keyOf(d.id, 1), undefined, 'a removed key ends the session');
});

test('sessions are bounded, ids are random and only their digest is kept', () => {
  const sessions = new ConsoleSessions(ring(), LIMITS);
  const ids = [0, 1, 2, 3].map((i) => sessions.signIn('1.1.1.1', 'ROOT', 'root-secret', i).id);
  assert.equal(new Set(ids).size, 4);
  assert.ok(
    ids.every((id) => /^[A-Za-z0-9_-]{43}$/.test(id)),
    '32 random bytes, base64url',
  );
  assert.equal(sessions.size, 3);
  assert.equal(sessions.keyOf(ids[0], 5), undefined, 'the least recently used session made room');
  assert.ok(sessions.keyOf(ids[3], 5));
  assert.equal(sessions.keyOf('', 5), undefined);
  assert.equal(sessions.keyOf(undefined, 5), undefined);
});

test('temporary keys and wrong secrets cannot sign in; guessing is bounded per address and overall', () => {
  const keys = ring();
  keys.add('TEMP', { secret: 't', securityToken: 'tok', serviceName: 's', expiresAt: 60_000 });
  const throttle = new SignInThrottle({ perClient: 2, total: 3, windowMs: 1000, maxClients: 10 });
  const sessions = new ConsoleSessions(keys, LIMITS, throttle);
  assert.equal(
    code(() => sessions.signIn('a', 'TEMP', 't', 0)),
    'AccessDenied',
  );
  assert.equal(
    code(() => sessions.signIn('a', 'NOPE', 'x', 0)),
    'SignatureNotMatch',
  );
  assert.equal(
    code(() => sessions.signIn('a', 'ROOT', 'x', 0)),
    'SignatureNotMatch',
  );
  assert.equal(
    code(() => sessions.signIn('a', 'ROOT', 'root-secret', 1)),
    'TooManySignInAttempts',
  );
  assert.equal(
    code(() => sessions.signIn('b', 'ROOT', 'x', 2)),
    'SignatureNotMatch',
  );
  assert.equal(
    code(() => sessions.signIn('c', 'ROOT', 'root-secret', 3)),
    'TooManySignInAttempts',
    'three failures overall close the window for everyone',
  );
  assert.equal(
    code(() => sessions.signIn('a', 'ROOT', 'root-secret', 1000)),
    'no error',
    'the window passes',
  );
});

test("a function's FC 3.0 HTTP event never carries a console session token, whatever its case", () => {
  const raw = ['Host', 'h', 'X-Kumo-Console-Session', 'secret-token', 'x-kumo-console', '1', 'Cookie', 'a=b'];
  assert.deepEqual(rawWithoutConsoleSession(raw), ['Host', 'h', 'x-kumo-console', '1', 'Cookie', 'a=b']);
});
