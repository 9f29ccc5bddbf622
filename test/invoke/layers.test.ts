import assert from 'node:assert/strict';
import { test } from 'node:test';
import FC from '@alicloud/fc2';
import { zipFiles } from '../helpers/code.js';
import { invoke } from '../helpers/functions.js';
import { ACCOUNT_ID, forEachSandbox, startTestServer } from '../helpers/server.js';

type Json = Record<string, unknown>;

/** Two layers with a module of the same name: FC's rule is that the layer listed first wins. */
const LAYER_A = {
  'nodejs/node_modules/greet/index.js': "module.exports = (name) => 'hello ' + name + ' from layer a';",
  'nodejs/node_modules/which/index.js': "module.exports = 'a';",
  'bin/layer-tool': '#!/bin/sh\necho tool from layer\n',
};
/** Also tries to replace Kumo's runtime agents under /opt/kumo: it must not reach them. */
const LAYER_B = {
  'nodejs/node_modules/which/index.js': "module.exports = 'b';",
  'nodejs/node_modules/only-b/index.js': "module.exports = 'only in b';",
  'kumo/runtimes/nodejs/agent.cjs': "console.log('hijacked'); process.exit(3);",
  'kumo/evil.txt': 'b',
  // Built-in modules always win over NODE_PATH.
  'nodejs/node_modules/fs/index.js': "throw new Error('a layer fs module was loaded');",
};
const PY_LAYER = {
  'python/pylayer.py': "def shout(s):\n    return s.upper() + ' FROM PYTHON LAYER'\n",
  // A layer cannot shadow the standard library for Kumo's agent (it imports its modules before /opt/python).
  'python/json.py': "raise SystemExit('the agent imported a layer json module')\n",
};

const NODE_HANDLER = `
const fs = require('node:fs');
const { execSync } = require('node:child_process');
exports.handler = (event, context, callback) => {
  callback(null, JSON.stringify({
    greet: require('greet')('kumo'),
    which: require('which'),
    onlyB: require('only-b'),
    tool: execSync('layer-tool').toString().trim(),
    agents: fs.existsSync('/opt/kumo/runtimes') ? fs.readdirSync('/opt/kumo/runtimes').sort() : null,
    evil: fs.existsSync('/opt/kumo/evil.txt'),
    env: { NODE_PATH: process.env.NODE_PATH, PATH: process.env.PATH, LD: process.env.LD_LIBRARY_PATH },
    credentials: context.credentials,
  }));
};`;

const PY_HANDLER = `import os, pylayer
def handler(event, context):
    return pylayer.shout('hi') + ' ' + os.environ['PYTHONPATH']
`;

async function publish(fc: FC, name: string, files: Record<string, string>): Promise<string> {
  const { data } = await fc.publishLayerVersion(name, {
    code: { zipFile: await zipFiles(files) },
    compatibleRuntime: ['nodejs20', 'python3.10'],
  });
  return data.arnV2 as string;
}

forEachSandbox((sandbox) => {
  test('functions use their layers at /opt: Node.js modules, Python packages, order, agents kept', async (t) => {
    const { fc, server } = await startTestServer(t, { sandbox });
    const a = await publish(fc, 'layer-a', LAYER_A);
    const b = await publish(fc, 'layer-b', LAYER_B);
    const py = await publish(fc, 'layer-py', PY_LAYER);
    await fc.createService('lay');
    await fc.createFunction('lay', {
      functionName: 'node',
      runtime: 'nodejs20',
      handler: 'index.handler',
      timeout: 30,
      code: { zipFile: await zipFiles({ 'index.js': NODE_HANDLER }) },
      layers: [a, b],
    });
    await fc.createFunction('lay', {
      functionName: 'py',
      runtime: 'python3.10',
      handler: 'index.handler',
      timeout: 30,
      code: { zipFile: await zipFiles({ 'index.py': PY_HANDLER }) },
      layers: [py],
    });

    const call = await invoke(fc, 'lay', 'node', '');
    assert.equal(call.errorType, undefined, `${call.body}\n${call.logs}`);
    const seen = JSON.parse(call.body) as Json & { env: Record<string, string>; credentials: Json };
    assert.equal(seen.greet, 'hello kumo from layer a');
    assert.equal(seen.which, 'a', 'the layer listed first wins a path both have');
    assert.equal(seen.onlyB, 'only in b');
    assert.equal(seen.tool, 'tool from layer', '/opt/bin is on PATH');
    if (server.sandbox.kind === 'bwrap') {
      // Only a mount namespace gives /opt itself; the process fallback reaches layers through the path lists.
      assert.ok((seen.agents as string[]).includes('nodejs'), 'the runtime agents stay mounted');
      assert.equal(seen.evil, false, "/opt/kumo is Kumo's: a layer cannot put files there");
      assert.match(seen.env.NODE_PATH ?? '', /(^|:)\/opt\/nodejs\/node_modules(:|$)/);
      assert.match(seen.env.LD ?? '', /(^|:)\/opt\/lib(:|$)/);
    }
    assert.ok(!call.logs.includes('hijacked'));

    const pyCall = await invoke(fc, 'lay', 'py', '');
    assert.equal(pyCall.errorType, undefined, `${pyCall.body}\n${pyCall.logs}`);
    assert.match(pyCall.body, /^HI FROM PYTHON LAYER /);
    if (server.sandbox.kind === 'bwrap') assert.match(pyCall.body, /(^|:| )\/opt\/python(:|$)/);

    // A function's temporary key may read layers but not publish or delete them.
    const { accessKeyId, accessKeySecret, securityToken } = seen.credentials as Record<string, string>;
    const scoped = new FC(ACCOUNT_ID, {
      accessKeyID: accessKeyId as string,
      accessKeySecret: accessKeySecret as string,
      securityToken,
      region: 'local',
      endpoint: server.url,
    });
    assert.equal((await scoped.getLayerVersion('layer-a', 1)).data.layerName, 'layer-a');
    assert.equal((await scoped.getLayerVersionByArn(a)).data.layerName, 'layer-a');
    for (const attempt of [
      scoped.publishLayerVersion('sneaky', { code: { zipFile: await zipFiles({ 'x.txt': 'x' }) } }),
      scoped.deleteLayerVersion('layer-a', 1),
      scoped.putLayerACL('layer-a', { public: true }),
    ]) {
      await assert.rejects(attempt, (error: Error & { code?: string }) => error.code === 'AccessDenied');
    }
    await assert.rejects(fc.listLayerVersions('sneaky'), (error: Error & { code?: string }) => {
      return error.code === 'LayerNotFound';
    });

    // Deleting a version in use: the function keeps it, across a restart of its instances too.
    await fc.deleteLayerVersion('layer-a', 1);
    await fc.updateFunction('lay', 'node', { environmentVariables: { AFTER: 'delete' } });
    const after = await invoke(fc, 'lay', 'node', '');
    assert.equal(after.errorType, undefined, `${after.body}\n${after.logs}`);
    assert.equal((JSON.parse(after.body) as Json).greet, 'hello kumo from layer a');
  });
});
