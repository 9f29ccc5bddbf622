import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { request } from 'undici';
import {
  errorOf,
  type Harness,
  harness,
  type RuntimeUnderTest,
  spellHandler,
  unhandled,
} from './conformance-harness.js';
import { PROGRAMMING_MODEL } from './conformance-model.js';
import { FIDELITY_BEHAVIOURS, storedLogs } from './fidelity-cases.js';

/**
 * One table of behaviours, run against every built-in runtime (Hono's pattern). A runtime brings a fixture
 * folder `test/fixtures/runtimes/<family>/` with the handlers the table names; adding a runtime means adding
 * a row (`conformance-rows.ts` or a `*-conformance.ts` of its own), its fixtures and a three-line
 * `conformance-<runtime>.test.ts`, not tests.
 */
const text = (rt: RuntimeUnderTest, body: Buffer) => (rt.answerText ? rt.answerText(body) : body.toString());
const fcLogLine = (label: string) => (rid: string, message: string) =>
  new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z ${rid} \\[${label}\\] ${message}$`, 'm');

const BEHAVIOURS: Record<string, (h: Harness, rt: RuntimeUnderTest) => Promise<void>> = {
  'echo event bytes': async (h) => {
    await h.deploy('echo', 'index.echo');
    const bytes = Buffer.from([0, 1, 2, 250, 255, 10, 13]);
    const result = await h.invoke('echo', bytes);
    assert.equal(result.headers['x-fc-error-type'], undefined, result.body.toString());
    assert.deepEqual(result.body, bytes);
  },
  'JSON in, object out': async (h, rt) => {
    await h.deploy('json', 'index.json');
    const result = await h.invoke('json', JSON.stringify({ a: 1, b: 2 }));
    assert.deepEqual(JSON.parse(result.body.toString()), { sum: 3, runtime: rt.family });
  },
  'initializer runs once per instance': async (h, rt) => {
    await h.deploy('init', 'index.initcount', { initializer: 'index.initializer', instanceConcurrency: 3 });
    const results = await Promise.all([1, 2, 3].map(() => h.invoke('init', '')));
    assert.deepEqual(
      results.map((r) => text(rt, r.body)),
      ['1', '1', '1'],
    );
    assert.equal(text(rt, (await h.invoke('init', '')).body), '1');
  },
  'context fields': async (h, rt) => {
    await h.deploy('ctx', 'index.context', { initializer: 'index.initializer', initializationTimeout: 9 });
    const result = await h.invoke('ctx', '');
    const ctx = JSON.parse(result.body.toString());
    assert.equal(ctx.requestId, result.headers['x-fc-request-id']);
    assert.match(ctx.accessKeyId, /^STS\./);
    assert.ok(ctx.accessKeySecret && ctx.securityToken);
    assert.deepEqual(
      { ...ctx, requestId: 0, accessKeyId: 0, accessKeySecret: 0, securityToken: 0 },
      {
        requestId: 0,
        accessKeyId: 0,
        accessKeySecret: 0,
        securityToken: 0,
        functionName: 'ctx',
        handler: spellHandler(rt, 'index.context'),
        memory: 256,
        timeout: 7,
        initializer: spellHandler(rt, 'index.initializer'),
        serviceName: 'conf',
        qualifier: 'LATEST',
        versionId: '',
        region: 'local',
        accountId: '1234567890123456',
        retryCount: 0,
      },
    );
  },
  'context names the qualifier and the version it resolved to': async (h) => {
    await h.deploy('rel', 'index.context');
    const { versionId } = (await h.kumo.fc.publishVersion('conf')).data;
    await h.kumo.fc.createAlias('conf', 'prod', versionId);
    const seen = async (q: string) => {
      const res = await h.kumo.client.send('POST', `/services/conf.${q}/functions/rel/invocations`, '');
      const ctx = JSON.parse(res.body.toString()) as Record<string, string>;
      return [ctx.qualifier, ctx.versionId];
    };
    assert.deepEqual(await seen('prod'), ['prod', versionId]);
    assert.deepEqual(await seen(versionId), [versionId, versionId]);
    assert.deepEqual(await seen('LATEST'), ['LATEST', '']);
  },
  'logger format and print capture': async (h, rt) => {
    await h.deploy('log', 'index.log');
    const result = await h.invoke('log', '');
    const rid = result.headers['x-fc-request-id'] ?? '';
    assert.equal(text(rt, result.body), 'logged');
    assert.match(result.logs, (rt.logLine ?? fcLogLine(rt.infoLabel ?? 'INFO'))(rid, 'hello from logger'));
    assert.match(result.logs, /hello from print/);
  },
  'handled error': async (h) => {
    await h.deploy('handled', 'index.handled');
    const result = await h.invoke('handled', '');
    assert.equal(result.headers['x-fc-error-type'], 'HandledInvocationError');
    const error = errorOf(result.body);
    assert.equal(error.errorMessage, 'handled oops');
    assert.ok(Array.isArray(error.stackTrace));
  },
  'unhandled error': async (h, rt) => {
    await h.deploy('unhandled', 'index.unhandled');
    const result = await h.invoke('unhandled', '');
    assert.equal(result.headers['x-fc-error-type'], 'UnhandledInvocationError');
    const error = errorOf(result.body);
    assert.equal(error.errorMessage, 'unhandled oops');
    if (rt.unhandledType) assert.equal(error.errorType, rt.unhandledType('Error'));
    assert.ok(error.stackTrace, 'a stack trace');
    assert.doesNotMatch(
      JSON.stringify(error.stackTrace),
      /opt\/kumo|agent\.(cjs|py|php)/,
      'agent frames are stripped',
    );
    assert.match(result.logs, /Error: Unhandled function error/);
  },
  'rejected promise': async (h) => {
    await h.deploy('rejected', 'index.rejected');
    const result = await h.invoke('rejected', '');
    assert.equal(result.headers['x-fc-error-type'], 'UnhandledInvocationError');
    assert.equal(errorOf(result.body).errorMessage, 'rejected oops');
  },
  'syntax error': async (h, rt) => {
    await h.deploy('syntax', 'syntax.handler');
    const error = errorOf((await h.invoke('syntax', '')).body);
    assert.equal(error.errorType, rt.errorTypes?.syntax ?? unhandled(rt, 'UserCodeSyntaxError'));
  },
  'missing dependency': async (h, rt) => {
    await h.deploy('dep', 'missing_dep.handler');
    const error = errorOf((await h.invoke('dep', '')).body);
    assert.equal(error.errorType, rt.errorTypes?.missingDependency ?? unhandled(rt, 'ImportModuleError'));
    assert.match(error.errorMessage, /no.such.package.kumo/);
  },
  'missing handler': async (h, rt) => {
    await h.deploy('nothere', 'index.nothere');
    const error = errorOf((await h.invoke('nothere', '')).body);
    assert.equal(error.errorType, rt.errorTypes?.missingHandler ?? unhandled(rt, 'HandlerNotFound'));
    assert.match(error.errorMessage, /nothere/);
  },
  'HTTP function: status, headers, query, binary body, streaming, crash': async (h, rt) => {
    for (const [name, handler] of [
      ['http', 'http.handler'],
      ['stream', 'http.stream'],
      ['crash', 'http.crash'],
    ] as const) {
      await h.deploy(name, handler);
      await h.kumo.fc.post(`/services/conf/functions/${name}/triggers`, {
        triggerName: 'web',
        triggerType: 'http',
        triggerConfig: { authType: 'anonymous', methods: ['GET', 'POST', 'PUT', 'DELETE', 'HEAD'] },
      });
    }
    const base = `${h.kumo.server.url}/2016-08-15/proxy/conf`;
    const binary = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256));
    const response = await request(`${base}/http/some/path?status=201&x=1&x=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-test' },
      body: binary,
    });
    assert.equal(response.statusCode, 201);
    assert.equal(response.headers['x-custom'], 'yes');
    assert.deepEqual(response.headers['set-cookie'], ['a=1', 'b=2']);
    const seen = (await response.body.json()) as {
      method: string;
      path: string;
      queries: Record<string, unknown>;
      contentType: string;
      body: string;
      clientIP: string;
    };
    assert.equal(seen.method, 'POST');
    assert.equal(seen.path, '/some/path');
    assert.deepEqual([seen.queries.x].flat(), ['1', '2']);
    assert.equal(seen.contentType, 'application/x-test');
    assert.deepEqual(Buffer.from(seen.body, 'base64'), binary);
    assert.equal(seen.clientIP, '127.0.0.1');

    const big = Buffer.alloc(5 * 1024 * 1024, 'kumo');
    const put = await request(`${base}/http/big`, { method: 'PUT', body: big });
    assert.equal(put.statusCode, 200);
    const putSeen = (await put.body.json()) as { method: string; body: string };
    assert.equal(putSeen.method, 'PUT');
    assert.ok(Buffer.from(putSeen.body, 'base64').equals(big), 'a 5 MB body arrives whole');
    const del = await request(`${base}/http/item`, { method: 'DELETE' });
    assert.equal(((await del.body.json()) as { method: string }).method, 'DELETE');
    const head = await request(`${base}/http/item`, { method: 'HEAD' });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['x-custom'], 'yes');
    assert.equal(await head.body.text(), '');

    const stream = await request(`${base}/stream/`);
    assert.equal(await stream.body.text(), 'chunk1\nchunk2\n');

    const crash = await request(`${base}/crash/`);
    assert.equal(crash.statusCode, 502, rt.runtime);
    assert.match(((await crash.body.json()) as { errorMessage: string }).errorMessage, /http oops/);
  },
  'concurrent requests keep their own logs': async (h, rt) => {
    await h.deploy('sleep', 'index.sleep', { instanceConcurrency: 3 });
    const results = await Promise.all(['a', 'b', 'c'].map((tag) => h.invoke('sleep', `${tag}:400`)));
    assert.equal(
      new Set(results.map((r) => r.headers['x-fc-instance-id'])).size,
      1,
      'one instance served all three',
    );
    for (const [i, tag] of ['a', 'b', 'c'].entries()) {
      const logs = await storedLogs(h, 'sleep', results[i]?.headers['x-fc-request-id'], `end ${tag}`);
      assert.equal(text(rt, results[i]?.body ?? Buffer.alloc(0)), tag);
      assert.match(logs, new RegExp(`start ${tag}`));
      assert.match(logs, new RegExp(`end ${tag}`));
      for (const other of ['a', 'b', 'c'].filter((o) => o !== tag))
        assert.doesNotMatch(logs, new RegExp(`(start|end) ${other}`));
    }
  },
};

/** Runs every case of the table against one runtime row (one test file per row, so rows run in parallel). */
export function runConformance(rt: RuntimeUnderTest): void {
  describe(`runtime ${rt.runtime}`, () => {
    for (const [name, behaviour] of Object.entries({
      ...BEHAVIOURS,
      ...PROGRAMMING_MODEL,
      ...FIDELITY_BEHAVIOURS,
    })) {
      const skip = rt.skip?.find((s) => s.tests.includes(name));
      test(name, { skip: skip?.reason ?? false }, async (t) => behaviour(await harness(t, rt), rt));
    }
  });
}
