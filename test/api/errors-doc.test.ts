import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERROR_CATALOGUE } from '../../src/model/index.js';

/** docs/errors.md must list exactly the catalogue's codes with their statuses (fastify's docs check). */
test('docs/errors.md matches the error catalogue', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const rows = [...doc.matchAll(/^\| `(\w+)` \| (\d{3}) \| (user|system) \|/gm)].map((m) => [
    m[1],
    Number(m[2]),
    m[3],
  ]);
  const expected = Object.entries(ERROR_CATALOGUE).map(([code, e]) => [code, e.status, e.kind]);
  assert.deepEqual(rows, expected);
});
