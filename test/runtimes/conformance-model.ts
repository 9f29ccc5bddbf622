import assert from 'node:assert/strict';
import { request } from 'undici';
import { errorOf, type Harness, type RuntimeUnderTest } from './conformance-harness.js';

/** Deploys `handler` as an HTTP function behind an anonymous trigger; returns its base URL. */
async function httpFunction(h: Harness, name: string, handler: string): Promise<string> {
  await h.deploy(name, handler);
  await h.kumo.fc.post(`/services/conf/functions/${name}/triggers`, {
    triggerName: 'web',
    triggerType: 'http',
    triggerConfig: { authType: 'anonymous', methods: ['GET', 'POST'] },
  });
  return `${h.kumo.server.url}/2016-08-15/proxy/conf/${name}`;
}

/**
 * FC's programming model where runtimes of one language differ by version, or where Kumo used to differ from
 * FC (issue 24): each case names the FC behaviour it checks. A runtime whose FC model has no such thing skips
 * the case with FC's reason.
 */
export const PROGRAMMING_MODEL: Record<string, (h: Harness, rt: RuntimeUnderTest) => Promise<void>> = {
  'async handler result': async (h, rt) => {
    await h.deploy('asyncresult', 'index.asyncresult', { timeout: 2 });
    const result = await h.invoke('asyncresult', '');
    if (rt.asyncResultIgnored) {
      // FC's nodejs ≤ 16: "the callback must be called", a resolved promise alone never answers.
      assert.equal(result.headers['x-fc-error-type'], 'UnhandledInvocationError');
      assert.match(errorOf(result.body).errorMessage, /^Function timed out after 2 seconds/);
    } else {
      assert.equal(result.headers['x-fc-error-type'], undefined, result.body.toString());
      assert.equal(result.body.toString(), 'resolved');
    }
  },
  'multi-line message is one log entry': async (h, rt) => {
    await h.deploy('multiline', 'index.multiline');
    const result = await h.invoke('multiline', '');
    const rid = result.headers['x-fc-request-id'];
    const lines = result.logs.split('\n');
    assert.ok(
      lines.some((line) => line.endsWith(`${rid} [${rt.logLabel ?? 'INFO'}] first line\rsecond line`)),
      result.logs,
    );
    assert.ok(!lines.some((line) => line.startsWith('second line')), 'no entry of its own for line two');
  },
  'context.logger levels': async (h, rt) => {
    await h.deploy('levels', 'index.levels');
    const result = await h.invoke('levels', '');
    assert.equal(result.body.toString(), 'false', 'waitsForEmptyEventLoopBeforeCallback defaults to false');
    const rid = result.headers['x-fc-request-id'];
    for (const [label, text] of [
      ['debug', 'at debug'],
      [rt.logLabel ?? 'INFO', 'at log'],
      ['warn', 'at warn'],
      ['error', 'at error'],
    ]) {
      assert.match(result.logs, new RegExp(`Z ${rid} \\[${label}\\] ${text}$`, 'm'));
    }
    assert.doesNotMatch(result.logs, /hidden warn/, 'setLogLevel hides the lower levels');
  },
  'waitsForEmptyEventLoopBeforeCallback holds the next call': async (h) => {
    await h.deploy('eventloop', 'index.eventloop');
    const started = await h.invoke('eventloop', 'start');
    assert.equal(started.body.toString(), 'answered', 'the answer itself is not delayed');
    const checked = await h.invoke('eventloop', 'check');
    assert.equal(checked.headers['x-fc-instance-id'], started.headers['x-fc-instance-id']);
    assert.equal(checked.body.toString(), 'true', "the next call starts after the first call's timer ran");
  },
  'HTTP request.body and stream': async (h) => {
    const url = await httpFunction(h, 'body', 'http.body');
    const response = await request(`${url}/`, { method: 'POST', body: 'hello body' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(await response.body.json(), {
      body: 'hello body',
      isBuffer: true,
      streamed: 'hello body',
    });
  },
  'HTTP response refuses what FC refuses': async (h) => {
    const url = await httpFunction(h, 'strict', 'http.strict');
    const response = await request(`${url}/`);
    assert.equal(response.statusCode, 200);
    assert.equal(await response.body.text(), 'string status,number header,object body');
  },
};
