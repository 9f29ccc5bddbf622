import { copyFileSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Copies the folder `from` to `to` (files with their modes, symlinks as symlinks), leaving out the paths in
 * `skip` (Kumo's own `.kumo`, which may hold `to` itself, and `.git`).
 */
export function copyTree(from: string, to: string, skip: readonly string[]): void {
  mkdirSync(to, { recursive: true, mode: lstatSync(from).mode & 0o7777 });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    if (skip.includes(source)) continue;
    const target = join(to, entry.name);
    if (entry.isDirectory()) copyTree(source, target, skip);
    else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
    else if (entry.isFile()) copyFileSync(source, target);
    // Sockets, fifos and devices are not code.
  }
}
