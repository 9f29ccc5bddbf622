import { FcError } from '../model/errors.js';

/** Size limits for a code package; FC's defaults are 50 MB zipped and 100 MB unzipped. */
export interface CodeLimits {
  /** Maximum size of the zip archive itself, in bytes. */
  maxZipBytes: number;
  /** Maximum total of the decompressed entries, in bytes (counted while decompressing, not taken from headers). */
  maxUnzippedBytes: number;
  /** Maximum number of entries in the archive (files, directories and symlinks). */
  maxEntries: number;
}

const MB = 1024 * 1024;

export const DEFAULT_CODE_LIMITS: Readonly<CodeLimits> = Object.freeze({
  maxZipBytes: 50 * MB,
  maxUnzippedBytes: 100 * MB,
  maxEntries: 100_000,
});

function formatBytes(bytes: number): string {
  return bytes % MB === 0 ? `${bytes} bytes (${bytes / MB} MB)` : `${bytes} bytes`;
}

export function zipTooLarge(size: number, limits: CodeLimits): FcError {
  return new FcError(
    'EntityTooLarge',
    `code.zipFile is ${size} bytes; the limit for a zipped code package is ${formatBytes(limits.maxZipBytes)}`,
  );
}

export function unzippedTooLarge(limits: CodeLimits): FcError {
  return new FcError(
    'EntityTooLarge',
    `code.zipFile unzips to more than ${formatBytes(limits.maxUnzippedBytes)}, the limit for an unzipped code package`,
  );
}
