import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { DEFAULT_CODE_LIMITS } from '../../src/code/limits.js';
import { extractZip, inspectZip } from '../../src/code/zip.js';
import {
  listAll,
  type RawEntry,
  rawZip,
  rejectsWith,
  S_IFDIR,
  S_IFLNK,
  S_IFREG,
  tempDir,
  yazlZip,
} from './zip-helpers.js';

const MB = 1024 * 1024;
const hasZipCli = existsSync('/usr/bin/zip');

let root: string;
before(async () => {
  root = await tempDir();
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

let counter = 0;
/** A fresh parent directory; extraction goes to `<parent>/out`. */
async function freshParent(): Promise<string> {
  const parent = join(root, `case-${++counter}`);
  await mkdir(parent);
  return parent;
}

/** Extraction must fail with InvalidArgument naming `name`, leaving the parent dir as empty as it was. */
async function assertRejected(
  zip: Buffer,
  name: string,
  code = 'InvalidArgument',
  limits = DEFAULT_CODE_LIMITS,
) {
  const parent = await freshParent();
  await rejectsWith(extractZip(zip, join(parent, 'out'), limits), code, name);
  assert.deepEqual(await listAll(parent), [], 'nothing may be left on disk');
  await rejectsWith(inspectZip(zip, limits), code, name);
}

const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o7777;

describe('extractZip', () => {
  it('extracts files, keeps the executable bit and makes everything world-readable', async () => {
    const zip = await yazlZip([
      { name: 'bootstrap', data: '#!/bin/sh\necho "hello from bootstrap $1"\n', mode: S_IFREG | 0o755 },
      { name: 'index.js', data: 'exports.handler = () => 1;\n', mode: S_IFREG | 0o600 },
      { name: 'lib/deep/util.js', data: 'module.exports = 2;\n' },
      { name: 'bin/tool', data: '#!/bin/sh\n', mode: S_IFREG | 0o700 },
      { name: 'empty/', dir: true, mode: S_IFDIR | 0o700 },
    ]);
    const dest = join(await freshParent(), 'out');
    const oldUmask = process.umask(0o077); // the extraction must not depend on the server's umask
    let result: Awaited<ReturnType<typeof extractZip>>;
    try {
      result = await extractZip(zip, dest);
    } finally {
      process.umask(oldUmask);
    }
    assert.deepEqual(await listAll(dest), [
      'bin',
      'bin/tool',
      'bootstrap',
      'empty',
      'index.js',
      'lib',
      'lib/deep',
      'lib/deep/util.js',
    ]);
    assert.equal(await mode(dest), 0o755);
    assert.equal(await mode(join(dest, 'bootstrap')), 0o755);
    assert.equal(await mode(join(dest, 'bin/tool')), 0o755);
    assert.equal(await mode(join(dest, 'index.js')), 0o644);
    assert.equal(await mode(join(dest, 'lib/deep/util.js')), 0o644);
    for (const dir of ['lib', 'lib/deep', 'empty', 'bin'])
      assert.equal(await mode(join(dest, dir)), 0o755, dir);
    assert.equal(await readFile(join(dest, 'lib/deep/util.js'), 'utf8'), 'module.exports = 2;\n');
    assert.equal(
      execFileSync(join(dest, 'bootstrap'), ['kumo'], { encoding: 'utf8' }),
      'hello from bootstrap kumo\n',
    );

    const bootstrap = result.entries.find((e) => e.path === 'bootstrap');
    assert.deepEqual(bootstrap, { path: 'bootstrap', kind: 'file', mode: 0o755, size: 41 });
    assert.equal(result.unzippedBytes, 41 + 27 + 20 + 10);
    assert.deepEqual(await readdir(join(dest, '..')), ['out'], 'no temp dir is left behind');
  });

  it('normalises backslash separators, "./" and repeated slashes', async () => {
    const zip = rawZip([
      { name: 'src\\main.js', data: 'a' },
      { name: './lib//x.js', data: 'b' },
      { name: './', mode: S_IFDIR | 0o755 },
    ]);
    const dest = join(await freshParent(), 'out');
    await extractZip(zip, dest);
    assert.deepEqual(await listAll(dest), ['lib', 'lib/x.js', 'src', 'src/main.js']);
  });

  it('creates in-tree relative symlinks', async () => {
    const zip = rawZip([
      { name: 'node_modules/pkg/cli.js', data: 'cli', mode: S_IFREG | 0o755 },
      { name: 'node_modules/.bin/pkg', data: '../pkg/cli.js', mode: S_IFLNK | 0o777 },
      { name: 'current', data: 'node_modules', mode: S_IFLNK | 0o777 },
      { name: 'self', data: '.', mode: S_IFLNK | 0o777 },
    ]);
    const dest = join(await freshParent(), 'out');
    const result = await extractZip(zip, dest);
    assert.equal(await readlink(join(dest, 'node_modules/.bin/pkg')), '../pkg/cli.js');
    assert.equal(await readFile(join(dest, 'node_modules/.bin/pkg'), 'utf8'), 'cli');
    assert.equal(await readFile(join(dest, 'current/pkg/cli.js'), 'utf8'), 'cli');
    assert.equal(await readlink(join(dest, 'self')), '.');
    assert.equal(result.entries.find((e) => e.path === 'current')?.target, 'node_modules');
  });

  it('accepts a zip made by the zip CLI with stored symlinks (-y)', { skip: !hasZipCli }, async () => {
    const src = join(await freshParent(), 'src');
    await mkdir(join(src, 'lib'), { recursive: true });
    await writeFile(join(src, 'bootstrap'), '#!/bin/sh\necho cli-zip\n', { mode: 0o755 });
    await writeFile(join(src, 'lib/a.txt'), 'A');
    await symlink('lib/a.txt', join(src, 'link.txt'));
    const zipFile = join(src, '..', 'code.zip');
    execFileSync('/usr/bin/zip', ['-qry', zipFile, '.'], { cwd: src });
    const dest = join(src, '..', 'out');
    await extractZip(await readFile(zipFile), dest);
    assert.equal(await readlink(join(dest, 'link.txt')), 'lib/a.txt');
    assert.equal(execFileSync(join(dest, 'bootstrap'), { encoding: 'utf8' }), 'cli-zip\n');
  });

  describe('rejects zip-slip and friends, naming the entry', () => {
    const evil: Array<[string, RawEntry[], string]> = [
      ['parent segment', [{ name: '../evil', data: 'x' }], '"../evil"'],
      ['nested parent segments', [{ name: 'a/../../evil', data: 'x' }], '"a/../../evil"'],
      ['absolute path', [{ name: '/etc/x', data: 'x' }], '"/etc/x"'],
      ['backslash parent', [{ name: '..\\evil', data: 'x' }], 'evil'],
      ['backslash nested parent', [{ name: 'a\\..\\..\\evil', data: 'x' }], 'evil'],
      ['backslash absolute', [{ name: '\\etc\\x', data: 'x' }], 'etc'],
      ['drive letter', [{ name: 'C:\\x', data: 'x' }], 'drive letter'],
      ['drive letter with slash', [{ name: 'c:/x', data: 'x' }], '"c:/x"'],
      ['NUL byte', [{ name: 'a\0b', data: 'x' }], 'NUL'],
      ['absolute symlink', [{ name: 'passwd', data: '/etc/passwd', mode: S_IFLNK | 0o777 }], '"passwd"'],
      ['escaping symlink', [{ name: 'a/l', data: '../../x', mode: S_IFLNK | 0o777 }], '"a/l"'],
      ['symlink to the parent', [{ name: 'up', data: '..', mode: S_IFLNK | 0o777 }], '"up"'],
      [
        'symlink chain through an in-tree link',
        [
          { name: 'd', data: '.', mode: S_IFLNK | 0o777 },
          { name: 'e', data: 'd/..', mode: S_IFLNK | 0o777 },
        ],
        '"e"',
      ],
      [
        'file written through a symlink',
        [
          { name: 'l', data: 'a', mode: S_IFLNK | 0o777 },
          { name: 'l/x', data: 'x' },
        ],
        '"l/x"',
      ],
      [
        'duplicate entry',
        [
          { name: 'index.js', data: 'a' },
          { name: './index.js', data: 'b' },
        ],
        'duplicate entry "index.js"',
      ],
      [
        'file that is also a directory',
        [
          { name: 'a/b', data: 'a' },
          { name: 'a', data: 'b' },
        ],
        '"a"',
      ],
      ['device file', [{ name: 'dev', data: '', mode: 0o020666 }], '"dev"'],
    ];
    for (const [label, entries, expected] of evil) {
      it(label, async () => {
        const sentinel = join(root, 'evil');
        await assertRejected(rawZip(entries), expected);
        assert.equal(existsSync(sentinel), false);
      });
    }

    it('a zip CLI archive holding a symlink to /etc/passwd', { skip: !hasZipCli }, async () => {
      const src = join(await freshParent(), 'src');
      await mkdir(src);
      await writeFile(join(src, 'index.js'), 'x');
      await symlink('/etc/passwd', join(src, 'passwd'));
      const zipFile = join(src, '..', 'code.zip');
      execFileSync('/usr/bin/zip', ['-qry', zipFile, '.'], { cwd: src });
      await assertRejected(await readFile(zipFile), '"passwd"');
    });
  });

  it('rejects something that is not a zip', async () => {
    await assertRejected(
      Buffer.from('definitely not a zip archive'),
      'code.zipFile is not a valid zip archive',
    );
    await assertRejected(Buffer.alloc(0), 'code.zipFile is not a valid zip archive');
  });

  it('rejects an entry whose data fails its CRC', async () => {
    const zip = rawZip([{ name: 'a.txt', data: 'hello world' }]);
    const at = zip.indexOf('hello world');
    zip[at] = 'j'.charCodeAt(0);
    await assertRejected(zip, '"a.txt" is corrupt');
  });

  it('rejects a zip bomb whose headers are honest', async () => {
    const zip = rawZip([{ name: 'zeros', data: Buffer.alloc(200 * MB), deflate: true }]);
    assert.ok(zip.length < 1 * MB);
    await assertRejected(zip, '104857600 bytes (100 MB)', 'EntityTooLarge');
  });

  it('rejects a zip bomb whose headers lie, as soon as the data outgrows them', async () => {
    const compressed = deflateRawSync(Buffer.alloc(200 * MB), { level: 9 });
    const zip = rawZip([{ name: 'zeros', data: Buffer.alloc(10), compressed, declaredSize: 10 }]);
    const t0 = performance.now();
    // yauzl's size validation reports the lie as corruption as soon as the 11th byte comes out.
    await assertRejected(zip, '"zeros" is corrupt');
    assert.ok(performance.now() - t0 < 5000);
  });

  it('rejects a total over the limit spread across entries', async () => {
    const chunk = Buffer.alloc(2000, 1);
    const zip = rawZip([1, 2, 3].map((i) => ({ name: `f${i}`, data: chunk, deflate: true })));
    const limits = { ...DEFAULT_CODE_LIMITS, maxUnzippedBytes: 5000 };
    await assertRejected(zip, '5000 bytes', 'EntityTooLarge', limits);
    const dest = join(await freshParent(), 'out');
    await extractZip(zip, dest, { ...limits, maxUnzippedBytes: 6000 });
  });

  it('rejects an oversized zipped package before parsing it', async () => {
    await assertRejected(Buffer.alloc(50 * MB + 1), '52428800 bytes (50 MB)', 'EntityTooLarge');
    const zip = await yazlZip([{ name: 'a', data: 'x'.repeat(100) }]);
    await assertRejected(zip, `is ${zip.length} bytes`, 'EntityTooLarge', {
      ...DEFAULT_CODE_LIMITS,
      maxZipBytes: 50,
    });
  });

  it('rejects too many entries', async () => {
    const zip = rawZip([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    await assertRejected(zip, 'has 3 entries', 'EntityTooLarge', { ...DEFAULT_CODE_LIMITS, maxEntries: 2 });
  });

  it('refuses to replace an existing destination', async () => {
    const parent = await freshParent();
    await mkdir(join(parent, 'out'));
    await writeFile(join(parent, 'out/keep'), 'k');
    await assert.rejects(
      extractZip(rawZip([{ name: 'a', data: 'x' }]), join(parent, 'out')),
      /ENOTEMPTY|EEXIST/,
    );
    assert.deepEqual(await listAll(parent), ['out', 'out/keep']);
  });
});

describe('inspectZip', () => {
  it('lists entries without writing anything', async () => {
    const zip = await yazlZip([
      { name: 'bootstrap', data: '#!/bin/sh\n', mode: S_IFREG | 0o755 },
      { name: 'lib/', dir: true },
    ]);
    const result = await inspectZip(zip);
    assert.deepEqual(result, {
      entries: [
        { path: 'bootstrap', kind: 'file', mode: 0o755, size: 10 },
        { path: 'lib', kind: 'directory', mode: 0o755, size: 0 },
      ],
      unzippedBytes: 10,
    });
  });
});
