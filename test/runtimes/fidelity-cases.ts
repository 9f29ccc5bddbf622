import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { functionLogs } from '../helpers/functions.js';
import { until } from '../helpers/poll.js';
import type { Harness, RuntimeUnderTest } from './conformance-harness.js';

/**
 * Conformance cases for FC's programming model as the platform path shows it (issue 24), run for every built-in
 * runtime by conformance-table.ts. Each runtime's fixture folder provides, on top of the base handlers:
 * `index.exit` (ends its process with status 2), `index.initfail` (an initializer that fails with 'init oops')
 * and `http.handler` (the HTTP echo of the base table).
 */
const run = promisify(execFile);
const MB = 1024 * 1024;

async function httpFunction(h: Harness, name: string, methods = ['GET', 'POST', 'PUT']) {
  await h.deploy(name, 'http.handler');
  await h.kumo.fc.post(`/services/conf/functions/${name}/triggers`, {
    triggerName: 'web',
    triggerType: 'http',
    triggerConfig: { authType: 'anonymous', methods },
  });
  return `${h.kumo.server.url}/2016-08-15/proxy/conf/${name}/up`;
}

/** The stored log lines of one call, once one of them contains `text`. */
export async function storedLogs(h: Harness, fn: string, requestId: string | undefined, text: string) {
  return until(
    async () => {
      const lines = await functionLogs(h.kumo.client, 'conf', fn, { requestId });
      return lines.some((line) => line.includes(text)) ? lines.join('\n') : undefined;
    },
    { what: `the log of call ${requestId} holds '${text}'` },
  );
}

export const FIDELITY_BEHAVIOURS: Record<string, (h: Harness, rt: RuntimeUnderTest) => Promise<void>> = {
  'HTTP: a 2 MB curl upload (Expect: 100-continue) arrives whole, on the warm instance': async (h) => {
    const url = await httpFunction(h, 'upload');
    const dir = mkdtempSync(join(tmpdir(), 'kumo-conf-upload-'));
    try {
      const data = Buffer.alloc(2 * MB, 'FC');
      writeFileSync(join(dir, 'body'), data);
      const instances: string[] = [];
      for (let i = 0; i < 2; i += 1) {
        const args = ['-sS', '-D', join(dir, 'head'), '--data-binary', `@${join(dir, 'body')}`, url];
        const { stdout } = await run('curl', args, { maxBuffer: 8 * MB });
        const seen = JSON.parse(stdout) as { body: string };
        assert.ok(Buffer.from(seen.body, 'base64').equals(data), 'the upload arrives whole');
        const head = readFileSync(join(dir, 'head'), 'utf8');
        assert.match(head, /^HTTP\/1\.1 200/m);
        instances.push(/^x-fc-instance-id: (\S+)/im.exec(head)?.[1] ?? '');
      }
      assert.equal(instances[0], instances[1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  'HTTP: an oversized body gets 400 EntityTooLarge and the next call reuses the instance': async (h) => {
    const url = await httpFunction(h, 'big');
    const before = await request(url, { method: 'POST', body: 'x' });
    await before.body.dump();
    const tooBig = await request(url, { method: 'POST', body: Buffer.alloc(6 * MB + 1) });
    assert.equal(tooBig.statusCode, 400);
    assert.equal(((await tooBig.body.json()) as { ErrorCode: string }).ErrorCode, 'EntityTooLarge');
    const after = await request(url, { method: 'POST', body: 'x' });
    await after.body.dump();
    assert.equal(after.headers['x-fc-instance-id'], before.headers['x-fc-instance-id']);
  },
  'HTTP: duration and memory headers are measured': async (h) => {
    const url = await httpFunction(h, 'measured');
    const response = await request(url, { method: 'POST', body: 'x' });
    await response.body.dump();
    assert.ok(Number(response.headers['x-fc-invocation-duration']) > 0, 'a real duration');
    assert.ok(Number(response.headers['x-fc-max-memory-usage']) > 0, 'a real peak memory');
  },
  'HTTP: a method outside the trigger gets 403 FcCommonError': async (h) => {
    const url = await httpFunction(h, 'methods', ['GET']);
    const response = await request(url, { method: 'DELETE' });
    assert.equal(response.statusCode, 403);
    assert.equal(response.headers['x-fc-error-type'], 'FcCommonError');
    assert.equal(((await response.body.json()) as { ErrorCode: string }).ErrorCode, 'MethodNotAllowed');
  },
  'invoke: an oversized payload gets EntityTooLarge and the next call reuses the instance': async (h) => {
    await h.deploy('payload', 'index.echo');
    const before = await h.invoke('payload', 'x');
    // An instance served it (else the instance ids below are both absent, and equal).
    assert.deepEqual(
      [before.status, before.headers['x-fc-error-type']],
      [200, undefined],
      before.body.toString(),
    );
    const tooBig = await h.kumo.client.send(
      'POST',
      '/services/conf/functions/payload/invocations',
      Buffer.alloc(6 * MB + 1),
    );
    assert.equal(tooBig.status, 400);
    assert.equal(JSON.parse(tooBig.body.toString()).ErrorCode, 'EntityTooLarge');
    const after = await h.invoke('payload', 'x');
    assert.equal(after.headers['x-fc-instance-id'], before.headers['x-fc-instance-id']);
  },
  'exit in the handler ends the process; the next call cold-starts': async (h) => {
    await h.deploy('exit', 'index.exit');
    const result = await h.invoke('exit', '');
    assert.equal(result.headers['x-fc-error-type'], 'UnhandledInvocationError');
    const { errorMessage } = JSON.parse(result.body.toString()) as { errorMessage: string };
    assert.match(errorMessage, /^Process exited unexpectedly before completing request \(duration: \d+ms/);
    const next = await h.invoke('exit', '');
    assert.notEqual(next.headers['x-fc-instance-id'], result.headers['x-fc-instance-id']);
  },
  'a failed initializer: the End line agrees with the error type': async (h) => {
    await h.deploy('initfail', 'index.echo', { initializer: 'index.initfail' });
    const result = await h.invoke('initfail', 'x');
    const errorType = result.headers['x-fc-error-type'];
    assert.ok(
      errorType === 'HandledInvocationError' || errorType === 'UnhandledInvocationError',
      `x-fc-error-type ${errorType}: ${result.body}`,
    );
    assert.match(result.body.toString(), /init oops/);
    const kind = errorType === 'HandledInvocationError' ? 'Handled' : 'Unhandled';
    assert.match(result.logs, new RegExp(`FC Initialize End RequestId: \\S+, Error: ${kind} function error`));
  },
  // FC's message, memory written without a space (FC_RUNTIME.md §1.4).
  timeout: async (h) => {
    await h.deploy('slow', 'index.sleep', { timeout: 1 });
    const result = await h.invoke('slow', 'z:3000');
    assert.equal(result.headers['x-fc-error-type'], 'UnhandledInvocationError');
    const { errorMessage } = JSON.parse(result.body.toString()) as { errorMessage: string };
    assert.match(errorMessage, /^Function timed out after 1 seconds \(maxMemoryUsage: \d+(\.\d+)?MB\)$/);
  },
  'no x-fc-log-result at instanceConcurrency > 1': async (h) => {
    await h.deploy('shared', 'index.echo', { instanceConcurrency: 2 });
    const result = await h.invoke('shared', 'x');
    // An instance served it (a failed start has no x-fc-log-result either).
    assert.deepEqual(
      [result.status, result.headers['x-fc-error-type']],
      [200, undefined],
      result.body.toString(),
    );
    assert.equal(result.headers['x-fc-log-result'], undefined);
    await storedLogs(h, 'shared', result.headers['x-fc-request-id'], 'FC Invoke End');
  },
};
