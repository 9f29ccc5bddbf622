/**
 * Content-addressed code storage: `<dir>/zips/<sha256>.zip` is the source of truth and
 * `<dir>/unpacked/<sha256>/` a cache of its extraction, recreated on demand. With a `SharedCode` (several nodes
 * sharing PostgreSQL) the shared copy is the source of truth and `<dir>/zips` this node's cache of it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { access, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FcError } from '../model/errors.js';
import { crc64Ecma } from './crc64.js';
import { type CodeLimits, DEFAULT_CODE_LIMITS, zipTooLarge } from './limits.js';
import { extractZip } from './zip.js';

export interface StoredCode {
  /** Hex SHA-256 of the zip: the address of the code in the store. */
  sha256: string;
  /** Size of the zip in bytes (FC's `codeSize`). */
  codeSize: number;
  /** CRC-64/ECMA of the zip as a decimal string (FC's `codeChecksum`). */
  codeChecksum: string;
}

/** Code kept once for every node (PostgreSQL's `code_packages`); `get` verifies what it returns. */
export interface SharedCode {
  put(sha256: string, zip: Buffer): Promise<void>;
  get(sha256: string): Promise<Buffer | undefined>;
  has(sha256: string): Promise<boolean>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function errnoCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

export class CodeStore {
  readonly #zipsDir: string;
  readonly #unpackedRoot: string;
  /** One extraction per address at a time; concurrent callers share it. */
  readonly #extracting = new Map<string, Promise<string>>();

  readonly #shared: SharedCode | undefined;

  constructor(
    dir: string,
    readonly limits: CodeLimits,
    shared?: SharedCode,
  ) {
    this.#zipsDir = join(dir, 'zips');
    this.#unpackedRoot = join(dir, 'unpacked');
    this.#shared = shared;
  }

  /** Validates, extracts and stores a code zip. Every rejection of a bad package happens here. */
  async put(zip: Buffer): Promise<StoredCode> {
    if (zip.length > this.limits.maxZipBytes) throw zipTooLarge(zip.length, this.limits);
    const sha256 = createHash('sha256').update(zip).digest('hex');
    const stored: StoredCode = { sha256, codeSize: zip.length, codeChecksum: crc64Ecma(zip) };
    // Same content, same address: a package already stored and unpacked was validated when first put.
    const load = (): Promise<Buffer> => Promise.resolve(zip);
    await this.#extractOnce(sha256, load).catch((err: unknown) => {
      // A joined unpackedDir() call may have failed only because the zip is not stored yet: retry with ours.
      if (err instanceof FcError) throw err;
      return this.#extractOnce(sha256, load);
    });
    // Shared first: a package is only referenced once every node can fetch it.
    await this.#shared?.put(sha256, zip);
    await this.#writeZip(sha256, zip);
    return stored;
  }

  async #writeZip(sha256: string, zip: Buffer): Promise<void> {
    const zipPath = this.zipPath(sha256);
    if (await exists(zipPath)) return;
    await mkdir(this.#zipsDir, { recursive: true });
    const tmp = join(this.#zipsDir, `.${sha256}.zip.tmp-${randomBytes(6).toString('hex')}`);
    try {
      await writeFile(tmp, zip, { mode: 0o644 });
      await rename(tmp, zipPath);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** Fills this node's cache from the shared copy; false when there is none (or no shared store). */
  async #fetchShared(sha256: string): Promise<boolean> {
    const zip = await this.#shared?.get(sha256);
    if (!zip) return false;
    await this.#writeZip(sha256, zip);
    return true;
  }

  /** The directory holding the unpacked code, re-extracted from the stored zip if the cache was removed. */
  async unpackedDir(sha256: string): Promise<string> {
    this.#checkAddress(sha256);
    return this.#extractOnce(sha256, async () => {
      let zip: Buffer;
      try {
        zip = await readFile(this.zipPath(sha256));
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') throw err;
        if (!(await this.#fetchShared(sha256))) throw new Error(`code ${sha256} is not in the code store`);
        zip = await readFile(this.zipPath(sha256));
      }
      const actual = createHash('sha256').update(zip).digest('hex');
      if (actual !== sha256)
        throw new Error(`code store: ${this.zipPath(sha256)} is corrupt (sha256 ${actual})`);
      return zip;
    });
  }

  zipPath(sha256: string): string {
    this.#checkAddress(sha256);
    return join(this.#zipsDir, `${sha256}.zip`);
  }

  /** True when the package is stored; with a shared store, it is then in this node's cache (zipPath reads it). */
  async has(sha256: string): Promise<boolean> {
    if (!SHA256_HEX.test(sha256)) return false;
    return (await exists(this.zipPath(sha256))) || this.#fetchShared(sha256);
  }

  /** Every package's address in this node's directory. */
  async list(): Promise<string[]> {
    const names = await readdir(this.#zipsDir).catch(() => [] as string[]);
    return names.flatMap((name) => /^([a-f0-9]{64})\.zip$/.exec(name)?.[1] ?? []);
  }

  /** Deletes the zip and its unpacked directory here (garbage collection; the caller knows nothing uses it). */
  async remove(sha256: string): Promise<void> {
    this.#checkAddress(sha256);
    await this.#extracting.get(sha256)?.catch(() => undefined);
    await rm(this.zipPath(sha256), { force: true });
    await rm(join(this.#unpackedRoot, sha256), { recursive: true, force: true });
  }

  #checkAddress(sha256: string): void {
    if (!SHA256_HEX.test(sha256))
      throw new FcError('InvalidArgument', `not a code sha256: ${JSON.stringify(sha256)}`);
  }

  #extractOnce(sha256: string, loadZip: () => Promise<Buffer>): Promise<string> {
    const pending = this.#extracting.get(sha256);
    if (pending) return pending;
    const dir = join(this.#unpackedRoot, sha256);
    const run = (async () => {
      if (await exists(dir)) return dir;
      try {
        await extractZip(await loadZip(), dir, this.limits);
      } catch (err) {
        // Another process may have won the race to the same address; its result is identical.
        const code = errnoCode(err);
        if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await exists(dir))) return dir;
        throw err;
      }
      return dir;
    })().finally(() => this.#extracting.delete(sha256));
    this.#extracting.set(sha256, run);
    return run;
  }
}

/**
 * Decodes FC's `code.zipFile` (base64), refusing oversized input before decoding it and rejecting anything
 * that is not base64 (Buffer.from would silently skip invalid characters). Whitespace, e.g. from wrapped
 * `base64` output, is ignored.
 */
export function decodeZipFile(base64: string, limits: CodeLimits = DEFAULT_CODE_LIMITS): Buffer {
  const clean = /\s/.test(base64) ? base64.replace(/\s+/g, '') : base64;
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  const size = Math.floor((clean.length * 3) / 4) - padding;
  if (size > limits.maxZipBytes) throw zipTooLarge(size, limits);
  const wellFormed =
    /^[A-Za-z0-9+/]*={0,2}$/.test(clean) && (padding === 0 ? clean.length % 4 !== 1 : clean.length % 4 === 0);
  if (!wellFormed) throw new FcError('InvalidArgument', 'code.zipFile is not valid base64');
  return Buffer.from(clean, 'base64');
}
