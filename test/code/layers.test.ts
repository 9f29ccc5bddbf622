import assert from 'node:assert/strict';
import { lstat, readFile, readlink, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { CodeStore, DEFAULT_CODE_LIMITS, LayerMerges } from '../../src/code/index.js';
import { listAll, rawZip, S_IFDIR, S_IFLNK, S_IFREG, tempDir } from './zip-helpers.js';

let root: string;
before(async () => {
  root = await tempDir('kumo-layers-');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Layer A is listed first, B second: where they disagree, A's file or directory wins (FC's rule). */
const LAYER_A = rawZip([
  { name: 'nodejs/node_modules/m/index.js', data: 'a' },
  { name: 'conf', data: 'a file in a' },
  { name: 'lib/liba.so', data: 'a' },
  { name: 'link/from-a.txt', data: 'a' },
  { name: 'bin/tool', data: '#!/bin/sh\n', mode: S_IFREG | 0o755 },
]);
const LAYER_B = rawZip([
  { name: 'nodejs/node_modules/m/index.js', data: 'b' },
  { name: 'nodejs/node_modules/only-b/index.js', data: 'b' },
  { name: 'conf/inside-b.txt', data: 'b' },
  { name: 'lib', data: 'a file in b' },
  // A link in B where A has a directory: A's files must not be written through it into B's target.
  { name: 'target/', mode: S_IFDIR | 0o755 },
  { name: 'link', data: 'target', mode: S_IFLNK | 0o777 },
  // B tries to take Kumo's reserved place with a link to its own tree, plus a file beside it.
  { name: 'kumo', data: 'nodejs', mode: S_IFLNK | 0o777 },
]);
const LAYER_C = rawZip([
  { name: 'kumo/runtimes/nodejs/agent.cjs', data: 'evil' },
  { name: 'kumo/x', data: 'x' },
]);

it('merges layers as FC does (the first listed wins), never through links, and keeps reserved paths empty', async () => {
  const store = new CodeStore(join(root, 'store'), DEFAULT_CODE_LIMITS);
  const merges = new LayerMerges(store, join(root, 'merged'));
  const a = (await store.put(LAYER_A)).sha256;
  const b = (await store.put(LAYER_B)).sha256;
  const c = (await store.put(LAYER_C)).sha256;

  const dir = await merges.mergedDir([a, b], ['kumo/runtimes']);
  const read = (path: string) => readFile(join(dir, path), 'utf8');
  assert.equal(await read('nodejs/node_modules/m/index.js'), 'a');
  assert.equal(await read('nodejs/node_modules/only-b/index.js'), 'b');
  assert.equal(await read('conf'), 'a file in a');
  assert.equal(await read('lib/liba.so'), 'a');
  assert.ok((await lstat(join(dir, 'link'))).isDirectory(), "A's directory replaces B's link");
  assert.deepEqual(await listAll(join(dir, 'target')), [], "nothing was written through B's link");
  assert.equal((await stat(join(dir, 'bin/tool'))).mode & 0o777, 0o755);
  assert.ok((await lstat(join(dir, 'kumo'))).isDirectory(), 'the reserved top is a real directory');
  assert.deepEqual(await listAll(join(dir, 'kumo')), ['runtimes']);
  assert.deepEqual(await listAll(join(dir, 'nodejs/node_modules/only-b')), ['index.js']);

  // B alone keeps its link (nothing reserved); the same list gives the same tree; the order matters.
  const bAlone = await merges.mergedDir([b]);
  assert.equal(await readlink(join(bAlone, 'link')), 'target');
  assert.equal(await merges.mergedDir([a, b], ['kumo/runtimes']), dir);
  const reversed = await merges.mergedDir([b, a], ['kumo/runtimes']);
  assert.notEqual(reversed, dir);
  assert.equal(await readFile(join(reversed, 'nodejs/node_modules/m/index.js'), 'utf8'), 'b');
  assert.equal(await readFile(join(reversed, 'lib'), 'utf8'), 'a file in b');

  // A layer shipping files under the reserved place loses them all.
  const withC = await merges.mergedDir([c], ['kumo/runtimes']);
  assert.deepEqual(await listAll(join(withC, 'kumo')), ['runtimes']);
});
