import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { test } from 'node:test';
import { zipFiles } from '../helpers/code.js';
import { deployCustom, invoke } from '../helpers/functions.js';
import { forEachSandbox, startTestServer } from '../helpers/server.js';

/** A public FC demo's layout: bootstrap runs `ruby server.rb`, with PATH set to where FC installs Ruby. */
const RUBY_DEMO = {
  bootstrap: '#!/bin/bash\nexec ruby server.rb\n',
  'server.rb': readFileSync(new URL('../fixtures/custom/ruby-server.rb', import.meta.url), 'utf8'),
};

const SYSTEM_DIRS = '/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/sbin:/bin';

interface Seen {
  method: string;
  path: string;
  names: string[];
  body: string;
  env: Record<string, string>;
  executables: string[];
}

/** Sends a request with exactly these header names (undici and fetch would lower-case them). */
function rawRequest(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

forEachSandbox((sandbox) => {
  test('a Ruby custom runtime started as `ruby server.rb` with PATH=/usr/local/ruby/bin answers; it reads the exact-case Content-Length', async (t) => {
    const { fc, server } = await startTestServer(t, { sandbox });
    await deployCustom(fc, 'svc', 'rb', RUBY_DEMO, {
      environmentVariables: { PATH: '/usr/local/ruby/bin', LD_LIBRARY_PATH: '/code/mine' },
    });
    const event = 'x'.repeat(70_000);
    const result = await invoke(fc, 'svc', 'rb', event);
    assert.equal(result.errorType, undefined, result.body);
    const seen = JSON.parse(result.body) as Seen;
    assert.equal(seen.path, '/invoke');
    assert.equal(seen.body, event, 'the whole event, read by Content-Length alone');
    assert.ok(seen.names.includes('Content-Length'), `${seen.names}`);
    assert.ok(seen.names.includes('Content-Type'), `${seen.names}`);
    assert.ok(seen.names.includes('X-Fc-Request-Id'), `${seen.names}`);
    assert.deepEqual(
      seen.names.filter((name) => name !== name.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase())),
      [],
      'every header name Kumo sends is in canonical case',
    );
    // The function's own variables win over FC's defaults; the rest of FC's environment is there.
    assert.equal(seen.env.TZ, 'UTC');
    assert.equal(seen.env.FC_FUNC_LOG_PATH, '/var/log/fc');
    assert.match(seen.env.LD_LIBRARY_PATH ?? '', /\/mine$/);
    // The process sandbox has no /code or /usr/local of its own: it maps those lists to host directories.
    if (server.sandbox.kind === 'bwrap') {
      assert.equal(seen.env.LD_LIBRARY_PATH, '/code/mine');
      assert.equal(seen.env.PYTHONPATH, '/code');
      assert.equal(seen.env.PATH, '/usr/local/ruby/bin');
      assert.equal(seen.env.HOME, '/tmp');
      assert.deepEqual(seen.executables, [
        '/usr/local/bin/node',
        '/usr/local/bin/python3',
        '/usr/local/ruby/bin/ruby',
      ]);
    }
  });

  test("an HTTP trigger call reaches a raw-socket runtime with its body and the client's headers, in FC's (Go's) canonical names", async (t) => {
    const { fc, server } = await startTestServer(t, { sandbox });
    await deployCustom(fc, 'web', 'rb', RUBY_DEMO);
    await fc.post('/services/web/functions/rb/triggers', {
      triggerName: 'http',
      triggerType: 'http',
      triggerConfig: JSON.stringify({ AuthType: 'ANONYMOUS', Methods: ['POST'] }),
    });
    const body = 'y'.repeat(5000);
    const answer = await rawRequest(
      `${server.url}/2016-08-15/proxy/web/rb/path?q=1`,
      { 'X-Custom-Thing': 'a', 'x-lower-case': 'b', 'Content-Type': 'text/plain' },
      body,
    );
    assert.equal(answer.status, 200, answer.body);
    const seen = JSON.parse(answer.body) as Seen;
    assert.equal(seen.path, '/path?q=1');
    assert.equal(seen.body, body);
    for (const name of ['X-Custom-Thing', 'X-Lower-Case', 'Content-Type', 'Content-Length', 'Host'])
      assert.ok(seen.names.includes(name), `${name} not in ${seen.names}`);
    assert.ok(seen.names.includes('X-Fc-Control-Path'));
  });
});

test("FC's environment table, seen from inside a custom runtime, nodejs20 and python3.10 instance", async (t) => {
  const { fc, server } = await startTestServer(t);
  await deployCustom(fc, 'env', 'custom', RUBY_DEMO, { environmentVariables: { MINE: 'yes' } });
  const node = { 'index.js': 'exports.handler = (e, c, cb) => cb(null, JSON.stringify(process.env));\n' };
  const python = {
    'index.py': 'import json, os\n\ndef handler(event, context):\n    return json.dumps(dict(os.environ))\n',
  };
  for (const [name, runtime, files] of [
    ['node', 'nodejs20', node],
    ['py', 'python3.10', python],
  ] as const) {
    await fc.createFunction('env', {
      functionName: name,
      runtime,
      handler: 'index.handler',
      memorySize: 128,
      timeout: 10,
      code: { zipFile: await zipFiles(files) },
      environmentVariables: { MINE: 'yes' },
    });
  }
  const envOf = async (fn: string) => {
    const result = await invoke(fc, 'env', fn, '{}');
    assert.equal(result.errorType, undefined, result.body);
    const parsed = JSON.parse(result.body) as Seen | Record<string, string>;
    return ('env' in parsed ? parsed.env : parsed) as Record<string, string>;
  };
  const bwrap = server.sandbox.kind === 'bwrap';
  const common = (env: Record<string, string>) => {
    assert.equal(env.MINE, 'yes');
    assert.equal(env.TZ, 'UTC');
    if (!bwrap) return;
    assert.equal(env.LD_LIBRARY_PATH, '/code:/code/lib:/usr/local/lib:/opt/lib');
    assert.equal(env.HOME, '/tmp');
  };

  const custom = await envOf('custom');
  common(custom);
  // Only here: the built-in agents drop FC_* variables outside FC's allowlist, as FC's agents do.
  assert.equal(custom.FC_FUNC_LOG_PATH, '/var/log/fc');
  if (bwrap) assert.equal(custom.PYTHONPATH, '/code');
  if (bwrap) assert.equal(custom.PATH, `${SYSTEM_DIRS}:/usr/local/ruby/bin:/opt/bin:/code:/code/bin`);

  const nodejs = await envOf('node');
  common(nodejs);
  assert.equal(
    nodejs.NODE_PATH,
    '/opt/nodejs/node20/node_modules:/opt/nodejs/node_modules:/usr/local/lib/node_modules',
  );
  if (bwrap) assert.equal(nodejs.PATH, `${SYSTEM_DIRS}:/opt/bin:/code:/code/bin:/code/node_modules/.bin`);

  const py = await envOf('py');
  common(py);
  if (bwrap) assert.equal(py.PYTHONPATH, '/code:/code/python:/opt/python');
  if (bwrap) assert.equal(py.PATH, `${SYSTEM_DIRS}:/opt/bin:/code:/code/bin`);
});
