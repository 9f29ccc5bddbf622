import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { TestServer } from '../helpers/server.js';

/**
 * A custom runtime that writes as much as it is told to: `<command>:<MiB>` floods stdout or stderr (with or
 * without newlines), answers a huge body (streamed or with a Content-Length), or a huge error body. Its writes to
 * stdout are asynchronous: output can still be arriving after it answered (except with `flushed`).
 */
export const HOSTILE_WRITER = {
  'package.json': '{"type":"commonjs"}',
  bootstrap: `#!/usr/bin/env node
const http = require('node:http');
const { once } = require('node:events');
const MiB = 1024 * 1024;
const repeat = (text, bytes) => Buffer.from(text.repeat(Math.ceil(bytes / text.length))).subarray(0, bytes);
async function handle(req, res, event) {
  const rid = req.headers['x-fc-request-id'];
  if (req.url === '/initialize') {
    // INIT_BODY_MIB: the initializer answers that much.
    const chunk = Buffer.alloc(MiB, 'i');
    for (let i = 0; i < Number(process.env.INIT_BODY_MIB || 0) && !res.destroyed; i++)
      if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    return res.end();
  }
  const [command, arg] = event.split(':');
  const mib = Number(arg || 0);
  const line = (text) => process.stdout.write(new Date().toISOString() + ' ' + rid + ' [INFO] ' + text + '\\n');
  if (command === 'nonewline') {
    line('before the flood');
    const chunk = Buffer.alloc(MiB, 'x');
    for (let i = 0; i < mib; i++) process.stdout.write(chunk);
    process.stdout.write('\\n');
    line('after the flood');
  } else if (command === 'lines' || command === 'stderr' || command === 'flushed') {
    const stream = command === 'stderr' ? process.stderr : process.stdout;
    const chunk = repeat('a line of ordinary log output, about a hundred bytes long, written in a tight loop....\\n', MiB);
    for (let i = 0; i < mib; i++) stream.write(chunk);
    // 'flushed' answers only once its output is handed to Kumo, so it all belongs to the call.
    if (command === 'flushed') await new Promise((resolve) => stream.write('', resolve));
  } else if (command === 'empty') {
    const chunk = Buffer.alloc(MiB, '\\n');
    for (let i = 0; i < mib; i++) process.stdout.write(chunk);
  } else if (command === 'body') {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(MiB, 'z');
    let closed = false;
    res.on('close', () => { closed = true; });
    for (let i = 0; i < mib && !closed; i++) if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    return res.end();
  } else if (command === 'exact') {
    return res.end(Buffer.alloc(Number(arg), 'e'));
  } else if (command === 'declared') {
    res.writeHead(200, { 'content-length': String(mib * MiB) });
    return res.end(Buffer.alloc(mib * MiB, 'd'));
  } else if (command === 'errorbody') {
    res.writeHead(404, { 'x-fc-status': '404' });
    const chunk = Buffer.alloc(MiB, 'r');
    let closed = false;
    res.on('close', () => { closed = true; });
    for (let i = 0; i < mib && !closed; i++) if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    return res.end();
  } else {
    line('hello ' + event);
  }
  res.end('done ' + event);
}
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => handle(req, res, Buffer.concat(chunks).toString()).catch(() => res.destroy()));
}).listen(Number(process.env.FC_SERVER_PORT || 9000), '0.0.0.0');
`,
};

export const MiB = 1024 * 1024;

/** logs.db and its WAL, in bytes. */
export function logsDbBytes(dataDir: string): number {
  const size = (name: string) => statSync(join(dataDir, name), { throwIfNoEntry: false })?.size ?? 0;
  return size('logs.db') + size('logs.db-wal');
}

/** The server answers /healthz and still runs another function. */
export async function assertHealthy(test: TestServer, otherFunction: string): Promise<void> {
  const health = await fetch(`${test.server.url}/healthz`);
  assert.equal(health.status, 200);
  const response = await test.client.send(
    'POST',
    `/services/svc/functions/${otherFunction}/invocations`,
    'ping',
  );
  assert.equal(response.status, 200);
  assert.equal(response.body.toString(), 'done ping');
}

export interface StoredLine {
  id: number;
  requestId: string;
  message: string;
}

/** The stored log lines of a request, or of the function with `requestId` '' (sees every line appended before). */
export async function storedLines(
  test: TestServer,
  fn: string,
  requestId: string,
  text = '',
): Promise<StoredLine[]> {
  const query = new URLSearchParams({ limit: '10000' });
  if (requestId) query.set('requestId', requestId);
  if (text) query.set('text', text);
  const result = await test.client.json<{ logs: StoredLine[] }>(
    'GET',
    `/services/svc/functions/${fn}/logs?${query}`,
  );
  return result.logs;
}

/** Built-in runtimes' handlers that print `<MiB>` MiB in one log call (one line, no newline in it). */
export const AGENT_FLOODS = {
  nodejs20: {
    'index.js': `exports.handler = (event, context, callback) => {
  console.log('y'.repeat(Number(event.toString()) * 1024 * 1024));
  console.log('after the flood');
  callback(null, 'done');
};
`,
  },
  'python3.10': {
    'index.py': `def handler(event, context):
    print('y' * (int(event) * 1024 * 1024))
    print('after the flood')
    return 'done'
`,
  },
};
