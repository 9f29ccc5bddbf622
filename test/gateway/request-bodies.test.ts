import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, type TestContext, test } from 'node:test';
import { promisify } from 'node:util';
import { request } from 'undici';
import { zipFiles } from '../helpers/code.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Request bodies through an HTTP trigger, end to end with real clients (curl, undici, raw sockets): FC's front end
 * reads the body before the function sees it, so `Expect: 100-continue`, oversized, chunked, lying and endless
 * bodies are the platform's business and never cost the function its warm instance.
 */
const run = promisify(execFile);
const MB = 1024 * 1024;
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

const FUNCTIONS: { runtime: string; files: Record<string, string> }[] = [
  {
    runtime: 'nodejs20',
    files: {
      'index.js': `exports.handler = (req, resp) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const hash = require('crypto').createHash('sha256').update(body).digest('hex');
    resp.setHeader('content-type', 'application/json');
    resp.send(JSON.stringify({ length: body.length, sha: hash, expect: req.headers.expect || null }));
  });
};`,
    },
  },
  {
    runtime: 'python3.10',
    files: {
      'index.py': `import hashlib, json
def handler(environ, start_response):
    body = environ['wsgi.input'].read()
    start_response('200 OK', [('Content-Type', 'application/json')])
    return [json.dumps({'length': len(body), 'sha': hashlib.sha256(body).hexdigest(),
                        'expect': environ.get('HTTP_EXPECT')}).encode()]
`,
    },
  },
];

async function deployHttp(t: TestContext, runtime: string, files: Record<string, string>) {
  // A short request timeout: the hostile clients below are cut off by it.
  const kumo = await startTestServer(t, { httpRequestTimeoutMs: 3000, httpHeadersTimeoutMs: 2000 });
  await kumo.fc.createService('bodies');
  await kumo.fc.createFunction('bodies', {
    functionName: 'echo',
    runtime,
    handler: 'index.handler',
    memorySize: 256,
    timeout: 30,
    code: { zipFile: await zipFiles(files) },
  });
  await kumo.fc.post('/services/bodies/functions/echo/triggers', {
    triggerName: 'web',
    triggerType: 'http',
    triggerConfig: { authType: 'anonymous', methods: ['GET', 'POST', 'PUT'] },
  });
  return { kumo, url: `${kumo.server.url}/2016-08-15/proxy/bodies/echo/up` };
}

async function post(url: string, body: Buffer | Readable | string = 'x') {
  const response = await request(url, { method: 'POST', body });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text };
}

/** A raw HTTP/1.1 exchange: writes `head`, then `body` chunks while `more()` holds; resolves with what came back. */
function rawExchange(
  kumo: TestServer,
  head: string,
  write: (socket: import('node:net').Socket) => void,
): Promise<{ answer: string; closed: boolean }> {
  const { port } = new URL(kumo.server.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(head);
      write(socket);
    });
    let answer = '';
    socket.on('data', (data) => {
      answer += data.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve({ answer, closed: true }));
  });
}

for (const fn of FUNCTIONS) {
  describe(`HTTP trigger request bodies: ${fn.runtime}`, () => {
    test('a 2 MB curl upload (Expect: 100-continue) reaches the function, on the same instance each time', async (t) => {
      const { url } = await deployHttp(t, fn.runtime, fn.files);
      const dir = mkdtempSync(join(tmpdir(), 'kumo-upload-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const data = Buffer.alloc(2 * MB);
      for (let i = 0; i < data.length; i += 4096) data.writeUInt32LE(i, i);
      writeFileSync(join(dir, 'upload.bin'), data);
      const ids: string[] = [];
      for (let i = 0; i < 2; i += 1) {
        const { stdout, stderr } = await run(
          'curl',
          ['-sS', '-v', '-D', join(dir, 'headers'), '--data-binary', `@${join(dir, 'upload.bin')}`, url],
          { maxBuffer: 4 * MB },
        );
        assert.match(stderr, /> Expect: 100-continue/i, 'curl asked to continue');
        const seen = JSON.parse(stdout) as { length: number; sha: string; expect: string | null };
        assert.deepEqual(seen, { length: data.length, sha: sha(data), expect: null });
        const headers = (await import('node:fs')).readFileSync(join(dir, 'headers'), 'utf8');
        const id = /^x-fc-instance-id: (\S+)/im.exec(headers)?.[1];
        assert.ok(id, headers);
        ids.push(id);
      }
      assert.equal(ids[0], ids[1], 'the warm instance serves the second upload');
    });

    test('oversized bodies (with a length, chunked) get FC 400 EntityTooLarge; the instance stays', async (t) => {
      const { url } = await deployHttp(t, fn.runtime, fn.files);
      const first = await post(url);
      assert.equal(first.status, 200, first.text);
      const instance = first.headers['x-fc-instance-id'];

      const sized = await post(url, Buffer.alloc(6 * MB + 1));
      assert.equal(sized.status, 400);
      assert.equal(
        sized.headers['x-fc-error-type'],
        'FcCommonError',
        JSON.stringify(sized.headers) + sized.text,
      );
      const error = JSON.parse(sized.text) as { ErrorCode: string; ErrorMessage: string };
      assert.equal(error.ErrorCode, 'EntityTooLarge');
      assert.equal(error.ErrorMessage, 'payload size exceeds maximum allowed size (6291456 bytes)');

      const chunked = await post(
        url,
        Readable.from(
          (function* () {
            for (let i = 0; i < 7; i += 1) yield Buffer.alloc(MB, i);
          })(),
        ),
      );
      assert.equal(chunked.status, 400, chunked.text);
      assert.equal((JSON.parse(chunked.text) as { ErrorCode: string }).ErrorCode, 'EntityTooLarge');

      const exactly = await post(url, Buffer.alloc(6 * MB, 1));
      assert.equal(exactly.status, 200, 'exactly 6 MB is within the limit');
      assert.equal((JSON.parse(exactly.text) as { length: number }).length, 6 * MB);
      const after = await post(url);
      assert.equal(after.headers['x-fc-instance-id'], instance, 'no oversized body cost the instance');
    });

    test('hostile clients: Expect with no body, a lying length, an endless body cost no instance', async (t) => {
      const { kumo, url } = await deployHttp(t, fn.runtime, fn.files);
      const first = await post(url);
      const instance = first.headers['x-fc-instance-id'];
      const path = new URL(url).pathname;
      const head = (extra: string) => `POST ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;

      // Expect: 100-continue, then nothing: the server's request timeout closes it. Meanwhile the function's one
      // instance (concurrency 1) serves another client: the stalled body holds no instance.
      const stalled = rawExchange(kumo, head('Content-Length: 100\r\nExpect: 100-continue\r\n'), () => {});
      const during = await post(url);
      assert.equal(during.headers['x-fc-instance-id'], instance);
      const stalledAnswer = await stalled;
      assert.match(stalledAnswer.answer, /^HTTP\/1\.1 100 Continue/);
      assert.doesNotMatch(stalledAnswer.answer, /HTTP\/1\.1 200/);

      // A body shorter than its Content-Length, then a hang-up.
      const lying = await rawExchange(kumo, head('Content-Length: 1000\r\n'), (socket) => {
        socket.end('only ten b');
      });
      assert.doesNotMatch(lying.answer, /HTTP\/1\.1 200/);

      // An endless chunked body: answered 400 and closed after a bounded number of bytes.
      let sent = 0;
      const endless = await rawExchange(kumo, head('Transfer-Encoding: chunked\r\n'), (socket) => {
        const chunk = Buffer.concat([Buffer.from('100000\r\n'), Buffer.alloc(MB), Buffer.from('\r\n')]);
        const pump = () => {
          while (!socket.destroyed && sent < 512 * MB) {
            sent += MB;
            if (!socket.write(chunk)) return void socket.once('drain', pump);
          }
        };
        pump();
      });
      assert.match(endless.answer, /^HTTP\/1\.1 400/);
      assert.match(endless.answer, /EntityTooLarge/);
      assert.ok(
        sent < 128 * MB,
        `the server stopped reading after a bounded amount (${sent / MB} MB written)`,
      );

      // Refused before its body is read (a method outside the trigger): the body is drained, the 403 readable.
      const refused = await request(url, { method: 'PATCH', body: Buffer.alloc(2 * MB) });
      assert.equal(refused.statusCode, 403);
      assert.equal(((await refused.body.json()) as { ErrorCode: string }).ErrorCode, 'MethodNotAllowed');

      const after = await post(url);
      assert.equal(after.status, 200);
      assert.equal(
        after.headers['x-fc-instance-id'],
        instance,
        'the same warm instance after every hostile client',
      );
    });
  });
}

test('a sync invoke over 6 MB through the fc2 SDK gets EntityTooLarge, not EPIPE; the instance stays', async (t) => {
  const kumo = await startTestServer(t);
  await kumo.fc.createService('bodies');
  await kumo.fc.createFunction('bodies', {
    functionName: 'event',
    runtime: 'python3.10',
    handler: 'index.handler',
    timeout: 30,
    code: {
      zipFile: await zipFiles({ 'index.py': 'def handler(event, context):\n    return str(len(event))\n' }),
    },
  });
  const small = await kumo.fc.invokeFunction('bodies', 'event', 'abc');
  const instance = small.headers['x-fc-instance-id'];
  for (const size of [6 * MB + 1, 20 * MB]) {
    await assert.rejects(
      kumo.fc.invokeFunction('bodies', 'event', Buffer.alloc(size, 'x')),
      (error: Error) => {
        const { code, message } = error as Error & { code?: string };
        assert.equal(code, 'EntityTooLarge', message);
        assert.match(message, /payload size exceeds maximum allowed size \(6291456 bytes\)/);
        return true;
      },
    );
  }
  const after = await kumo.fc.invokeFunction('bodies', 'event', Buffer.alloc(6 * MB, 'x'));
  assert.equal(String(after.data), String(6 * MB));
  assert.equal(after.headers['x-fc-instance-id'], instance);
});
