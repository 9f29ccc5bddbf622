// Builds zips for the code tests: well-formed ones with yazl, hostile ones with a tiny hand-rolled writer
// (yazl refuses names like '../evil' and cannot lie about sizes).
import assert from 'node:assert/strict';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { ZipFile } from 'yazl';
import { FcError } from '../../src/model/errors.js';

export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFDIR = 0o040000;

export interface YazlEntry {
  name: string;
  data?: string | Buffer;
  mode?: number;
  dir?: boolean;
}

export function yazlZip(entries: YazlEntry[]): Promise<Buffer> {
  const zip = new ZipFile();
  for (const e of entries) {
    if (e.dir) zip.addEmptyDirectory(e.name, { mode: e.mode ?? S_IFDIR | 0o755 });
    else zip.addBuffer(Buffer.from(e.data ?? ''), e.name, { mode: e.mode ?? S_IFREG | 0o644 });
  }
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

export interface RawEntry {
  name: string;
  data?: string | Buffer;
  /** Full Unix mode (type and permission bits) for the external attributes; default a 0644 file. */
  mode?: number;
  deflate?: boolean;
  /** Already deflated data to store as-is (method 8); the CRC is then taken from `data`. */
  compressed?: Buffer;
  /** Lie about the uncompressed size in both headers. */
  declaredSize?: number;
}

/** A minimal zip writer that writes any name, mode and size it is given. */
export function rawZip(entries: RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const data = Buffer.from(e.data ?? '');
    const stored = e.compressed ?? (e.deflate ? deflateRawSync(data, { level: 9 }) : data);
    const crc = crc32(data);
    const size = e.declaredSize ?? data.length;
    const method = e.deflate || e.compressed ? 8 : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(0, 10); // time + date
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(stored.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, stored);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(stored.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((e.mode ?? S_IFREG | 0o644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + stored.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

export async function tempDir(prefix = 'kumo-code-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Asserts that `promise` rejects with an FcError of `code` whose message contains every `parts`. */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  ...parts: string[]
): Promise<FcError> {
  let caught: unknown;
  await assert.rejects(promise, (err: unknown) => {
    caught = err;
    return true;
  });
  assert.ok(caught instanceof FcError, `expected an FcError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  for (const part of parts)
    assert.ok(caught.message.includes(part), `${JSON.stringify(caught.message)} lacks ${part}`);
  return caught;
}

export async function listAll(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).sort();
}
