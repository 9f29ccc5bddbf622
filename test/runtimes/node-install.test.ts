import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { installNode, RuntimeInstallError } from '../../src/runtimes/index.js';

/** A registry on loopback that serves one version document and one tarball (a hostile or broken mirror). */
async function registry(
  t: import('node:test').TestContext,
  integrity: string,
  tarball: Buffer,
): Promise<string> {
  const server: Server = createServer((request, response) => {
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    if (request.url === `/node-${process.platform}-${process.arch}/14.21.3`) {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ dist: { tarball: `${base}/node.tgz`, integrity } }));
    } else if (request.url === '/node.tgz') {
      response.end(tarball);
    } else {
      response.statusCode = 404;
      response.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
}

function tempDir(t: import('node:test').TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-install-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a tarball that does not match the registry integrity is refused before it is unpacked; nothing stays', async (t) => {
  const dir = tempDir(t);
  const url = await registry(t, `sha512-${Buffer.alloc(64, 1).toString('base64')}`, Buffer.from('not node'));
  await assert.rejects(
    installNode('14.21.3', { dir, registry: url }),
    (error: unknown) =>
      error instanceof RuntimeInstallError &&
      /does not match the registry's sha512 checksum/.test(error.message),
  );
  assert.deepEqual(readdirSync(dir), []);
});

test('a release the registry does not have, or a package without bin/node, fails clearly and leaves nothing', async (t) => {
  const dir = tempDir(t);
  const url = await registry(t, 'sha512-x', Buffer.alloc(0));
  await assert.rejects(installNode('16.20.2', { dir, registry: url }), /answered HTTP 404/);
  assert.deepEqual(readdirSync(dir), []);

  // A valid gzip tarball (of an empty archive) whose checksum matches, but without package/bin/node.
  const empty = Buffer.from(
    'H4sIAAAAAAAAA+3BAQ0AAADCoPdPbQ8HFAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' +
      'AAAAAAAAAAAAAAAAAADgNwDRjkyGACgAAA==',
    'base64',
  );
  const { createHash } = await import('node:crypto');
  const matching = `sha512-${createHash('sha512').update(empty).digest('base64')}`;
  const other = tempDir(t);
  const url2 = await registry(t, matching, empty);
  await assert.rejects(installNode('14.21.3', { dir: other, registry: url2 }), RuntimeInstallError);
  assert.deepEqual(readdirSync(other), []);
});
