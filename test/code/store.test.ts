import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CodeStore, crc64Ecma, DEFAULT_CODE_LIMITS, decodeZipFile } from '../../src/code/index.js';
import { listAll, rawZip, rejectsWith, S_IFREG, tempDir, yazlZip } from './zip-helpers.js';

let root: string;
before(async () => {
  root = await tempDir('kumo-store-');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

let counter = 0;
const newStore = (limits = DEFAULT_CODE_LIMITS): CodeStore =>
  new CodeStore(join(root, `store-${++counter}`), limits);

const codeZip = (greeting: string): Promise<Buffer> =>
  yazlZip([
    { name: 'bootstrap', data: `#!/bin/sh\necho ${greeting}\n`, mode: S_IFREG | 0o755 },
    { name: 'lib/data.txt', data: greeting },
  ]);

describe('CodeStore', () => {
  it('stores a zip by its sha256 with FC codeSize and codeChecksum', async () => {
    const store = newStore();
    const zip = await codeZip('hi');
    const stored = await store.put(zip);
    assert.deepEqual(stored, {
      sha256: createHash('sha256').update(zip).digest('hex'),
      codeSize: zip.length,
      codeChecksum: crc64Ecma(zip),
    });
    assert.equal(await store.has(stored.sha256), true);
    assert.deepEqual(await readFile(store.zipPath(stored.sha256)), zip);
    const dir = await store.unpackedDir(stored.sha256);
    assert.equal(execFileSync(join(dir, 'bootstrap'), { encoding: 'utf8' }), 'hi\n');
    assert.equal(await readFile(join(dir, 'lib/data.txt'), 'utf8'), 'hi');
  });

  it('stores the same content once', async () => {
    const store = newStore();
    const zip = await codeZip('same');
    const first = await store.put(zip);
    const dir = await store.unpackedDir(first.sha256);
    await writeFile(join(dir, 'marker'), 'still here');
    const zipMtime = (await stat(store.zipPath(first.sha256))).mtimeMs;
    const [second, third] = await Promise.all([store.put(Buffer.from(zip)), store.put(zip)]);
    assert.deepEqual(second, first);
    assert.deepEqual(third, first);
    assert.equal(await readFile(join(dir, 'marker'), 'utf8'), 'still here', 'not re-extracted');
    assert.equal((await stat(store.zipPath(first.sha256))).mtimeMs, zipMtime, 'zip not rewritten');
    const base = join(dir, '..', '..');
    assert.deepEqual(await readdir(join(base, 'zips')), [`${first.sha256}.zip`]);
    assert.deepEqual(await readdir(join(base, 'unpacked')), [first.sha256]);
  });

  it('re-extracts after the unpacked dir is deleted, once for concurrent callers', async () => {
    const store = newStore();
    const { sha256 } = await store.put(await codeZip('again'));
    const dir = await store.unpackedDir(sha256);
    await rm(dir, { recursive: true });
    const dirs = await Promise.all([1, 2, 3, 4, 5].map(() => store.unpackedDir(sha256)));
    assert.deepEqual(new Set(dirs), new Set([dir]));
    assert.equal(execFileSync(join(dir, 'bootstrap'), { encoding: 'utf8' }), 'again\n');
    assert.deepEqual(await readdir(join(dir, '..')), [sha256], 'no temp dirs left');
  });

  it('rejects bad packages at put time and leaves nothing behind', async () => {
    const store = newStore({ ...DEFAULT_CODE_LIMITS, maxUnzippedBytes: 1000 });
    await rejectsWith(store.put(Buffer.from('not a zip')), 'InvalidArgument', 'not a valid zip archive');
    await rejectsWith(store.put(rawZip([{ name: '../evil', data: 'x' }])), 'InvalidArgument', '"../evil"');
    const bomb = rawZip([{ name: 'big', data: Buffer.alloc(5000), deflate: true }]);
    await rejectsWith(store.put(bomb), 'EntityTooLarge', '1000 bytes');
    const dir = join(root, `store-${counter}`);
    assert.deepEqual(await listAll(dir).catch(() => []), ['unpacked']);
  });

  it('removes code and reports unknown addresses', async () => {
    const store = newStore();
    const { sha256 } = await store.put(await codeZip('bye'));
    const dir = await store.unpackedDir(sha256);
    await store.remove(sha256);
    assert.equal(await store.has(sha256), false);
    await assert.rejects(stat(dir), { code: 'ENOENT' });
    await assert.rejects(store.unpackedDir(sha256), /not in the code store/);
    assert.equal(await store.has('../../etc'), false);
    assert.throws(() => store.zipPath('../../etc/passwd'));
  });
});

describe('decodeZipFile', () => {
  it('decodes base64, ignoring line breaks', async () => {
    const zip = await codeZip('b64');
    assert.deepEqual(decodeZipFile(zip.toString('base64')), zip);
    const wrapped = zip.toString('base64').replace(/.{76}/g, '$&\n');
    assert.deepEqual(decodeZipFile(wrapped), zip);
    assert.deepEqual(decodeZipFile('aGk'), Buffer.from('hi'));
  });

  it('rejects text that is not base64', () => {
    for (const bad of ['not base64!', 'aGk=aGk=', 'a', 'aGk===', 'aGk-', '😀']) {
      assert.throws(
        () => decodeZipFile(bad),
        (err: unknown) =>
          err instanceof Error &&
          'code' in err &&
          err.code === 'InvalidArgument' &&
          err.message === 'code.zipFile is not valid base64',
        bad,
      );
    }
  });

  it('rejects oversized input before decoding it', () => {
    const limits = { ...DEFAULT_CODE_LIMITS, maxZipBytes: 300 };
    assert.equal(decodeZipFile(Buffer.alloc(300).toString('base64'), limits).length, 300);
    const tooBig = Buffer.alloc(301).toString('base64');
    assert.throws(() => decodeZipFile(tooBig, limits), {
      code: 'EntityTooLarge',
      message: /limit .* 300 bytes/,
    });
    // Well past the default limit, and not even valid base64: the size is what gets reported.
    const huge = '!'.repeat(Math.ceil((DEFAULT_CODE_LIMITS.maxZipBytes * 4) / 3) + 8);
    assert.throws(() => decodeZipFile(huge), { code: 'EntityTooLarge', message: /52428800 bytes \(50 MB\)/ });
  });
});
