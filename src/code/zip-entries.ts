/** The checks on each code-zip entry's name, symlink target and place in the tree (used by zip.ts). */
import { FcError } from '../model/errors.js';

export type ZipEntryKind = 'file' | 'directory' | 'symlink';

export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;
const NAME_MAX = 255;
export const PATH_MAX = 4095;
const DRIVE_LETTER = /^[a-zA-Z]:/;

export const quote = (name: string): string => JSON.stringify(name);
export const invalid = (message: string): FcError => new FcError('InvalidArgument', message);
export const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function badEntry(name: string, problem: string): FcError {
  return invalid(`code.zipFile entry ${quote(name)} ${problem}`);
}

/** Validates an entry name and returns its normalised path ('' for the root directory itself). */
export function normalizeName(name: string): { path: string; isDir: boolean } {
  if (name.includes('\0')) throw badEntry(name, 'has a NUL byte in its name');
  // Zips made on Windows may use '\' as the separator; treating it as '/' makes '..\x' and '\x' fail below.
  const slashed = name.replaceAll('\\', '/');
  if (slashed.startsWith('/')) throw badEntry(name, 'has an absolute path');
  if (DRIVE_LETTER.test(slashed)) throw badEntry(name, 'has a drive letter');
  const segments = slashed.split('/');
  if (segments.includes('..')) throw badEntry(name, "escapes the code directory ('..' in its path)");
  const kept = segments.filter((s) => s !== '' && s !== '.');
  if (kept.some((s) => Buffer.byteLength(s) > NAME_MAX))
    throw badEntry(name, 'has a path segment over 255 bytes');
  const path = kept.join('/');
  if (Buffer.byteLength(path) > PATH_MAX) throw badEntry(name, 'has a path over 4095 bytes');
  return { path, isDir: slashed.endsWith('/') };
}

/**
 * A symlink may only point inside the tree. Leading '..' segments walk up real directories (no entry may sit
 * under a symlink), so counting them against the link's depth is exact; a '..' after a name is refused, as
 * that name could itself be a symlink (e.g. `d -> .` then `e -> d/..` would reach the parent of the root).
 */
export function checkSymlinkTarget(name: string, path: string, target: string): void {
  const link = (problem: string): FcError => badEntry(name, `is a symlink to ${quote(target)}, ${problem}`);
  if (target === '' || target.includes('\0')) throw link('which is not a valid target');
  if (target.includes('\\')) throw link('which contains a backslash');
  if (target.startsWith('/') || DRIVE_LETTER.test(target))
    throw link('an absolute path outside the code directory');
  const depth = path.split('/').length - 1;
  let ups = 0;
  let afterName = false;
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment !== '..') {
      afterName = true;
    } else if (afterName) {
      throw link("with '..' after a path segment (only leading '..' segments are allowed)");
    } else if (++ups > depth) {
      throw link('outside the code directory');
    }
  }
}

/** Tracks every path (explicit entries and implied parent directories) to catch duplicates and clashes. */
export class Tree {
  readonly #kinds = new Map<string, ZipEntryKind>();
  readonly #explicit = new Set<string>();

  add(name: string, path: string, kind: ZipEntryKind): void {
    if (this.#explicit.has(path)) throw invalid(`code.zipFile has a duplicate entry ${quote(path)}`);
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join('/');
      const parentKind = this.#kinds.get(parent);
      if (parentKind === 'file' || parentKind === 'symlink') {
        throw badEntry(name, `is inside ${quote(parent)}, which is a ${parentKind}`);
      }
      this.#kinds.set(parent, 'directory');
    }
    const existing = this.#kinds.get(path);
    if (existing !== undefined && existing !== kind) {
      throw badEntry(name, `is a ${kind}, but other entries are inside it`);
    }
    this.#kinds.set(path, kind);
    this.#explicit.add(path);
  }

  directories(): string[] {
    return [...this.#kinds].filter(([, kind]) => kind === 'directory').map(([path]) => path);
  }
}
