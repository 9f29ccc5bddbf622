import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CodeDownloads, DOWNLOAD_TTL_SECONDS } from '../../src/code/index.js';
import type { FcError } from '../../src/model/index.js';

const SHA = 'a'.repeat(64);
const denied = (pattern: RegExp) => (error: FcError) =>
  error.code === 'AccessDenied' && pattern.test(error.message);

test('a download grant is valid for its package until it expires, and only with the same secret', () => {
  const downloads = new CodeDownloads('secret');
  const now = Date.UTC(2026, 0, 1);
  const grant = downloads.grant(SHA, now);
  assert.equal(grant.expires, now / 1000 + DOWNLOAD_TTL_SECONDS);
  downloads.check(SHA, grant.expires, grant.signature, now);
  downloads.check(SHA, grant.expires, grant.signature, grant.expires * 1000);

  assert.throws(
    () => downloads.check(SHA, grant.expires, grant.signature, (grant.expires + 1) * 1000),
    denied(/expired/),
  );
  assert.throws(
    () => downloads.check('b'.repeat(64), grant.expires, grant.signature, now),
    denied(/invalid/),
  );
  assert.throws(() => downloads.check(SHA, grant.expires + 1, grant.signature, now), denied(/invalid/));
  assert.throws(() => downloads.check(SHA, Number.NaN, grant.signature, now), denied(/invalid/));
  assert.throws(() => downloads.check(undefined, grant.expires, grant.signature, now), denied(/invalid/));
  assert.throws(
    () => new CodeDownloads('other').check(SHA, grant.expires, grant.signature, now),
    denied(/invalid/),
  );
});
