import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { codeJsonBody } from '../../src/api/routes/code-body.js';

const parse = (text: string) => {
  const request = { body: Buffer.from(text) } as unknown as FastifyRequest;
  const json = codeJsonBody(request);
  assert.equal(request.body, undefined, 'the request lets go of the raw body');
  return json;
};

test('a code body parses as JSON.parse would, whatever the layout', () => {
  for (const text of [
    '{"functionName":"f","code":{"zipFile":"UEsDBA=="}}',
    '{ "code" : { "zipFile" :\n "UEsDBA==" }, "handler": "i.h" }',
    '{"Code":{"ZipFile":"UEsDBA=="}}',
    '{"description":"has \\"zipFile\\" inside","code":{"zipFile":"QUJD"}}',
    '{"zipFile":"top","code":{"zipFile":"QUJD"}}',
    '{"code":{"zipFile":"QUJD","zipFile":"REVG"}}',
    '{"code":{"zipFile":"a\\u0041"}}',
    '{"code":{"zipFile":""}}',
    '{"code":{"ossBucketName":"b"}}',
    '{"CODE":{"zipFile":"QUJD"}}',
    '{}',
  ]) {
    assert.deepEqual(parse(text), JSON.parse(text), text);
  }
  assert.throws(() => parse('{"code":{"zipFile":"QUJD"}'), /not valid JSON/);
  assert.throws(() => parse('[1]'), /must be a JSON object/);
});
