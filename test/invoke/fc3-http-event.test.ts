import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildHttpEvent, encodeEventBody, isTextContentType } from '../../src/invoke/fc3-http-event.js';
import { mapHttpEventResult } from '../../src/invoke/fc3-http-result.js';

const base = {
  method: 'POST',
  clientIp: '10.0.0.7',
  httpVersion: '1.1',
  requestId: 'req-1',
  accountId: '1234567890',
  now: new Date('2023-09-05T06:41:11.895Z'),
};

test('the FC 3.0 HTTP event: raw and decoded path, joined headers and query, request context', () => {
  const event = buildHttpEvent({
    ...base,
    url: '/a%20b/%E4%BD%A0?x=1&x=2&empty=&flag&sp=a+b',
    rawHeaders: [
      'Host',
      'demo.cn-hangzhou.example.com:8780',
      'user-agent',
      'curl/8.0',
      'x-multi',
      'one',
      'X-Multi',
      'two',
      'Content-Type',
      'text/plain',
      'Connection',
      'keep-alive',
      'X-Fc-Request-Id',
      'forged',
    ],
    body: Buffer.from('héllo'),
  });
  // As the function sees it: JSON.
  assert.deepEqual(JSON.parse(JSON.stringify(event)), {
    version: 'v1',
    rawPath: '/a%20b/%E4%BD%A0',
    body: 'héllo',
    isBase64Encoded: false,
    headers: {
      Host: 'demo.cn-hangzhou.example.com:8780',
      'User-Agent': 'curl/8.0',
      'X-Multi': 'one,two',
      'Content-Type': 'text/plain',
    },
    queryParameters: { x: '1,2', empty: '', flag: '', sp: 'a b' },
    requestContext: {
      accountId: '1234567890',
      domainName: 'demo.cn-hangzhou.example.com',
      domainPrefix: 'demo',
      http: {
        method: 'POST',
        path: '/a b/你',
        protocol: 'HTTP/1.1',
        sourceIp: '10.0.0.7',
        userAgent: 'curl/8.0',
      },
      requestId: 'req-1',
      time: '2023-09-05T06:41:11Z',
      timeEpoch: '1693896071895',
    },
  });
});

test('the FC 3.0 HTTP event survives hostile input: bad percent-encoding, __proto__ keys, no Host', () => {
  const event = buildHttpEvent({
    ...base,
    method: 'GET',
    url: '/%zz%?__proto__=x&constructor=y',
    rawHeaders: ['__proto__', 'p'],
    body: null,
  });
  assert.equal(event.rawPath, '/%zz%');
  assert.equal(event.requestContext.http.path, '/%zz%');
  assert.equal(event.body, '');
  assert.equal(event.isBase64Encoded, false);
  const own = (value: object, key: string) =>
    Object.getOwnPropertyDescriptor(JSON.parse(JSON.stringify(value)), key)?.value;
  assert.equal(own(event.queryParameters, '__proto__'), 'x');
  assert.equal(own(event.queryParameters, 'constructor'), 'y');
  assert.equal(own(event.headers, '__proto__'), 'p');
  assert.equal(event.requestContext.domainName, '');
  assert.equal(event.requestContext.http.userAgent, '');
  const ip = buildHttpEvent({ ...base, url: '/', rawHeaders: ['Host', '127.0.0.1:9000'], body: null });
  assert.deepEqual(
    [ip.rawPath, ip.requestContext.domainName, ip.requestContext.domainPrefix],
    ['/', '127.0.0.1', ''],
  );
});

test('binary bodies are Base64: by content type, and when declared text is not UTF-8', () => {
  const bytes = Buffer.from([0, 255, 1, 254, 0x80]);
  assert.deepEqual(encodeEventBody(bytes, 'application/octet-stream'), {
    body: bytes.toString('base64'),
    isBase64Encoded: true,
  });
  assert.deepEqual(encodeEventBody(Buffer.from('png?'), 'image/png'), {
    body: Buffer.from('png?').toString('base64'),
    isBase64Encoded: true,
  });
  assert.deepEqual(encodeEventBody(bytes, 'text/plain; charset=latin1'), {
    body: bytes.toString('base64'),
    isBase64Encoded: true,
  });
  assert.deepEqual(encodeEventBody(Buffer.from('{"a":1}'), 'application/json; charset=utf-8'), {
    body: '{"a":1}',
    isBase64Encoded: false,
  });
  for (const type of [
    undefined,
    'text/html',
    'application/x-www-form-urlencoded',
    'application/vnd.api+json',
  ])
    assert.equal(isTextContentType(type), true, String(type));
  for (const type of ['application/octet-stream', 'multipart/form-data; boundary=x', 'image/png'])
    assert.equal(isTextContentType(type), false, type);
});

test('a {statusCode, headers, body, isBase64Encoded} result is the answer', () => {
  const mapped = mapHttpEventResult(
    Buffer.from(
      JSON.stringify({
        statusCode: 201,
        headers: {
          'Content-Type': 'image/png',
          'X-Count': 3,
          'Set-Cookie': ['a=1', 'b=2'],
          'X-Fc-Foo': 'no',
        },
        body: Buffer.from([0, 1, 2, 255]).toString('base64'),
        isBase64Encoded: true,
      }),
    ),
  );
  assert.deepEqual(mapped, {
    ok: true,
    status: 201,
    headers: { 'content-type': 'image/png', 'x-count': '3', 'set-cookie': ['a=1', 'b=2'] },
    body: Buffer.from([0, 1, 2, 255]),
  });
  const plain = mapHttpEventResult(Buffer.from('{"statusCode":"404","body":{"why":"gone"}}'));
  assert.deepEqual(plain, { ok: true, status: 404, headers: {}, body: Buffer.from('{"why":"gone"}') });
});

test('anything else is the body of a 200; an impossible statusCode or hostile headers are handled', () => {
  assert.deepEqual(mapHttpEventResult(Buffer.from('hello')), {
    ok: true,
    status: 200,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: Buffer.from('hello'),
  });
  const json = mapHttpEventResult(Buffer.from('{"message":"hi"}'));
  assert.equal(json.ok && json.headers['content-type'], 'application/json');
  const binary = mapHttpEventResult(Buffer.from([0xff, 0xfe]));
  assert.equal(binary.ok && binary.headers['content-type'], 'application/octet-stream');
  for (const statusCode of [99, 600, 'abc', 200.5, true, null]) {
    const bad = mapHttpEventResult(Buffer.from(JSON.stringify({ statusCode })));
    assert.equal(bad.ok, false, String(statusCode));
  }
  const hostile = mapHttpEventResult(
    Buffer.from(
      JSON.stringify({
        statusCode: 200,
        headers: { 'X-Split': 'a\r\nInjected: yes', 'Bad Name': 'x', 'Content-Length': '999', ok: 'y' },
      }),
    ),
  );
  assert.deepEqual(hostile, { ok: true, status: 200, headers: { ok: 'y' }, body: Buffer.alloc(0) });
});
