import assert from 'node:assert/strict';
import { test } from 'node:test';
import { request } from 'undici';
import { zipFiles } from '../helpers/code.js';
import { startTestServer } from '../helpers/server.js';

/**
 * FC's Python programming model where it is Python's own (issue 24): FC's documented examples run unchanged and
 * give FC's documented answers. Sources: FC "Error handling" (Python) and "HTTP handlers" (Python) pages.
 */
const CODE = {
  // FC's error-handling example, line for line: the raise is on line 2.
  'index.py': `def my_handler(event, context):
    raise Exception('something is wrong')


def prints(event, context):
    import sys
    print('plain line from print')
    sys.stderr.write('plain line to stderr\\n')
    context.getLogger().info('line from the logger')
    return 'printed'
`,
  // FC's WSGI example (the HTTP handler page), reading the keys FC documents.
  'web.py': `import json
def handler(environ, start_response):
    context = environ['fc.context']
    request_uri = environ['fc.request_uri']
    try:
        request_body_size = int(environ.get('CONTENT_LENGTH', 0))
    except ValueError:
        request_body_size = 0
    request_body = environ['wsgi.input'].read(request_body_size)
    seen = {k: v for k, v in environ.items() if isinstance(v, (str, bool, int))}
    seen.update(requestId=context.request_id, requestUri=request_uri, body=request_body.decode())
    start_response('200 OK', [('Content-type', 'application/json')])
    return [json.dumps(seen).encode()]
`,
};

test('Python: FC stackTrace shape, raw print, WSGI environ keys', async (t) => {
  const { fc, client, server } = await startTestServer(t);
  await fc.createService('py');
  const zipFile = await zipFiles(CODE);
  for (const [name, handler] of [
    ['err', 'index.my_handler'],
    ['missing', 'index.nothere'],
    ['prints', 'index.prints'],
    ['web', 'web.handler'],
  ] as const) {
    await fc.createFunction('py', { functionName: name, runtime: 'python3.10', handler, code: { zipFile } });
  }

  const failed = await client.send('POST', '/services/py/functions/err/invocations', '');
  assert.equal(failed.headers['x-fc-error-type'], 'UnhandledInvocationError');
  assert.deepEqual(JSON.parse(failed.body.toString()), {
    errorMessage: 'something is wrong',
    errorType: 'Exception',
    stackTrace: [
      ['File "/code/index.py"', 'line 2', 'in my_handler', "raise Exception('something is wrong')"],
    ],
  });

  const missing = JSON.parse(
    (await client.send('POST', '/services/py/functions/missing/invocations', '')).body.toString(),
  );
  assert.equal(missing.errorType, 'HandlerNotFound');
  assert.equal('stackTrace' in missing, false, 'no user frame, no stackTrace field');

  const printed = await client.send('POST', '/services/py/functions/prints/invocations', '', {
    'x-fc-log-type': 'Tail',
  });
  const rid = printed.headers['x-fc-request-id'];
  const logs = Buffer.from(printed.headers['x-fc-log-result'] ?? '', 'base64').toString();
  assert.match(logs, /^plain line from print$/m, 'print is passed raw');
  assert.match(logs, /^plain line to stderr$/m, 'stderr is passed raw');
  assert.match(
    logs,
    new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${rid} \\[INFO\\] line from the logger$`, 'm'),
  );

  await fc.post('/services/py/functions/web/triggers', {
    triggerName: 'web',
    triggerType: 'http',
    triggerConfig: { authType: 'anonymous', methods: ['POST'] },
  });
  const response = await request(`${server.url}/2016-08-15/proxy/py/web/a/b?x=1`, {
    method: 'POST',
    headers: { 'x-custom': 'yes' },
    body: 'hello',
  });
  const environ = (await response.body.json()) as Record<string, unknown>;
  assert.equal(environ.SERVER_NAME, 'FCRUNTIME');
  assert.equal(environ.SERVER_PORT, '9000');
  assert.equal(environ['wsgi.multithread'], false);
  assert.equal(environ.requestId, response.headers['x-fc-request-id']);
  assert.equal(environ.requestUri, '/a/b?x=1');
  assert.equal(environ.body, 'hello');
  assert.equal(environ.HTTP_X_CUSTOM, 'yes');
  for (const hop of ['HTTP_CONNECTION', 'HTTP_KEEP_ALIVE', 'HTTP_TRANSFER_ENCODING', 'HTTP_EXPECT'])
    assert.equal(environ[hop], undefined, `${hop} is not passed`);
});
