import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectedEtag } from '../../src/control/context.js';

test("expectedEtag reads If-Match's forms: bare, quoted, weak; `*` and empty match anything", () => {
  assert.equal(expectedEtag({ ifMatch: 'abc' }), 'abc');
  assert.equal(expectedEtag({ ifMatch: '"abc"' }), 'abc');
  assert.equal(expectedEtag({ ifMatch: 'W/"abc"' }), 'abc');
  assert.equal(expectedEtag({ ifMatch: ' abc ' }), 'abc');
  assert.equal(expectedEtag({ ifMatch: '*' }), undefined);
  assert.equal(expectedEtag({ ifMatch: '' }), undefined);
  assert.equal(expectedEtag({}), undefined);
});
