/**
 * Safe intake of code zips: every entry is checked (paths, symlinks, duplicates, sizes, CRC) before or
 * while it is written, and extraction happens in a temp dir that is renamed into place only on success.
 */
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, rename, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { type Entry, fromBufferPromise, getFileNameLowLevel, type ZipFile } from 'yauzl';
import { FcError } from '../model/errors.js';
import { type CodeLimits, DEFAULT_CODE_LIMITS, unzippedTooLarge, zipTooLarge } from './limits.js';
import {
  badEntry,
  checkSymlinkTarget,
  invalid,
  normalizeName,
  PATH_MAX,
  quote,
  reason,
  S_IFDIR,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  Tree,
  type ZipEntryKind,
} from './zip-entries.js';

export type { ZipEntryKind } from './zip-entries.js';

export interface ZipEntryInfo {
  /** Normalised path inside the code directory: '/'-separated, no '.', '' or trailing '/' segments. */
  path: string;
  kind: ZipEntryKind;
  /** Permission bits on disk: 0o755 for directories and executable files, 0o644 for other files. */
  mode: number;
  /** Decompressed bytes (for a symlink, the length of its target). */
  size: number;
  /** The symlink's target, as stored in the zip. */
  target?: string;
}

export interface ZipInspection {
  entries: ZipEntryInfo[];
  /** Total decompressed bytes, as counted while decompressing. */
  unzippedBytes: number;
}

interface Budget {
  used: number;
  readonly limits: CodeLimits;
}

/** The entry's decompressed data, counted against the budget and checked against its CRC-32. */
async function* entryData(
  zipfile: ZipFile,
  entry: Entry,
  name: string,
  budget: Budget,
  progress: { bytes: number; complete: boolean },
): AsyncGenerator<Buffer> {
  let stream: Readable;
  try {
    stream = await zipfile.openReadStreamPromise(entry);
  } catch (err) {
    throw badEntry(name, `cannot be read: ${reason(err)}`);
  }
  let crc = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      budget.used += chunk.length;
      progress.bytes += chunk.length;
      if (budget.used > budget.limits.maxUnzippedBytes) throw unzippedTooLarge(budget.limits);
      crc = crc32(chunk, crc);
      yield chunk;
    }
  } catch (err) {
    if (err instanceof FcError) throw err;
    throw badEntry(name, `is corrupt: ${reason(err)}`);
  } finally {
    stream.destroy();
  }
  if (crc >>> 0 !== entry.crc32 >>> 0) throw badEntry(name, 'is corrupt: CRC-32 mismatch');
  progress.complete = true;
}

async function readSmall(data: AsyncIterable<Buffer>, name: string, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of data) {
    size += chunk.length;
    if (size > max) throw badEntry(name, `is a symlink with a target over ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

type FileSink = (info: ZipEntryInfo, data: AsyncIterable<Buffer>) => Promise<void>;

interface Walk extends ZipInspection {
  /** Every directory, explicit or implied by an entry's path. */
  directories: string[];
}

/** Validates the whole archive, handing each regular file's data to `onFile` (which must consume it). */
async function walkZip(buf: Buffer, limits: CodeLimits, onFile: FileSink): Promise<Walk> {
  if (buf.length > limits.maxZipBytes) throw zipTooLarge(buf.length, limits);
  let zipfile: ZipFile;
  try {
    zipfile = await fromBufferPromise(buf, {
      lazyEntries: true,
      validateEntrySizes: true,
      decodeStrings: false,
      autoClose: true,
    });
  } catch (err) {
    throw invalid(`code.zipFile is not a valid zip archive: ${reason(err)}`);
  }
  if (zipfile.entryCount > limits.maxEntries) {
    throw new FcError(
      'EntityTooLarge',
      `code.zipFile has ${zipfile.entryCount} entries; the limit is ${limits.maxEntries}`,
    );
  }

  const tree = new Tree();
  const entries: ZipEntryInfo[] = [];
  const budget: Budget = { used: 0, limits };
  let declared = 0;
  const iterator = zipfile.eachEntry();
  try {
    for (;;) {
      let next: IteratorResult<Entry>;
      try {
        next = await iterator.next();
      } catch (err) {
        throw invalid(`code.zipFile is not a valid zip archive: ${reason(err)}`);
      }
      if (next.done) break;
      const entry = next.value;
      // decodeStrings is off so that a bad name becomes our error naming the entry, not yauzl's.
      const name = getFileNameLowLevel(
        entry.generalPurposeBitFlag,
        entry.fileNameRaw,
        entry.extraFields,
        true,
      );
      const { path, isDir } = normalizeName(name);
      if (entry.isEncrypted()) throw badEntry(name, 'is encrypted');

      const unixMode = (entry.externalFileAttributes >>> 16) & 0xffff;
      const format = unixMode & S_IFMT;
      let kind: ZipEntryKind;
      if (format === S_IFLNK) {
        if (isDir) throw badEntry(name, 'is a symlink with a directory name');
        kind = 'symlink';
      } else if (isDir || format === S_IFDIR) {
        kind = 'directory';
      } else if (format === 0 || format === S_IFREG) {
        kind = 'file';
      } else {
        throw badEntry(name, `has an unsupported file type (mode ${unixMode.toString(8)})`);
      }
      if (path === '') {
        if (kind === 'directory') continue; // "./" names the root itself
        throw badEntry(name, 'has an empty path');
      }
      tree.add(name, path, kind);
      if (kind === 'directory') {
        entries.push({ path, kind, mode: 0o755, size: 0 });
        continue;
      }

      // Headers are checked too (cheap early exit for honest bombs); the real bytes are counted in entryData.
      declared += entry.uncompressedSize;
      if (declared > limits.maxUnzippedBytes) throw unzippedTooLarge(limits);
      const progress = { bytes: 0, complete: false };
      const data = entryData(zipfile, entry, name, budget, progress);
      if (kind === 'symlink') {
        const target = (await readSmall(data, name, PATH_MAX)).toString('utf8');
        checkSymlinkTarget(name, path, target);
        entries.push({ path, kind, mode: 0o777, size: progress.bytes, target });
      } else {
        const info: ZipEntryInfo = { path, kind, mode: unixMode & 0o111 ? 0o755 : 0o644, size: 0 };
        await onFile(info, data);
        if (!progress.complete)
          throw new Error(`zip walk: the data of ${quote(name)} was not fully consumed`);
        info.size = progress.bytes;
        entries.push(info);
      }
    }
  } finally {
    await iterator.return?.();
  }
  return { entries, unzippedBytes: budget.used, directories: tree.directories() };
}

/** Validates a code zip completely (names, symlinks, sizes, CRCs) without writing anything. */
export async function inspectZip(
  buf: Buffer,
  limits: CodeLimits = DEFAULT_CODE_LIMITS,
): Promise<ZipInspection> {
  const { entries, unzippedBytes } = await walkZip(buf, limits, async (_info, data) => {
    for await (const chunk of data) void chunk;
  });
  return { entries, unzippedBytes };
}

/**
 * Validates and extracts a code zip into `destDir`, which must not exist yet (an existing non-empty `destDir`
 * makes the final rename fail with ENOTEMPTY/EEXIST). On any error nothing is left on disk.
 */
export async function extractZip(
  buf: Buffer,
  destDir: string,
  limits: CodeLimits = DEFAULT_CODE_LIMITS,
): Promise<ZipInspection> {
  // Cheap checks first, so an oversized upload creates no temp dir.
  if (buf.length > limits.maxZipBytes) throw zipTooLarge(buf.length, limits);
  await mkdir(dirname(destDir), { recursive: true });
  const tmp = await mkdtemp(join(dirname(destDir), `.${basename(destDir)}.tmp-`));
  try {
    const walk = await walkZip(buf, limits, async (info, data) => {
      const file = join(tmp, info.path);
      await mkdir(dirname(file), { recursive: true });
      // 'wx' (O_CREAT|O_EXCL) never follows an existing symlink; symlinks are only created after all files.
      await pipeline(data, createWriteStream(file, { flags: 'wx', mode: info.mode }));
      await chmod(file, info.mode); // the process umask may have masked the bits
    });
    for (const dir of walk.directories) await mkdir(join(tmp, dir), { recursive: true });
    // Instances run as another uid, so everything must be world-readable (mkdtemp makes the root 0700).
    await chmod(tmp, 0o755);
    for (const dir of walk.directories) await chmod(join(tmp, dir), 0o755);
    for (const entry of walk.entries) {
      if (entry.kind === 'symlink' && entry.target !== undefined) {
        await symlink(entry.target, join(tmp, entry.path));
      }
    }
    await rename(tmp, destDir);
    return { entries: walk.entries, unzippedBytes: walk.unzippedBytes };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
