import { chmod, lstat, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const DIRS: Array<[path: string, mode: number]> = [
  ['proc', 0o555],
  ['sys', 0o555],
  ['dev', 0o755],
  ['tmp', 0o1777],
  ['etc', 0o755],
];
const FILES = ['etc/hosts', 'etc/resolv.conf', 'etc/hostname'];

async function kind(path: string): Promise<'missing' | 'dir' | 'other'> {
  try {
    const info = await lstat(path);
    return info.isDirectory() ? 'dir' : 'other';
  } catch {
    return 'missing';
  }
}

/**
 * Creates the mount points every container needs in a freshly unpacked rootfs, once, so that starting an
 * instance never has to write to the shared, read-only rootfs. Never follows a symlink of the image (an
 * image's `/etc` pointing elsewhere must not make Kumo write outside the rootfs).
 */
export async function createMountPoints(rootfs: string): Promise<void> {
  for (const [path, mode] of DIRS) {
    const full = join(rootfs, path);
    if ((await kind(full)) === 'missing') {
      await mkdir(full);
      await chmod(full, mode); // mkdir applies the umask and drops the sticky bit
    }
  }
  if ((await kind(join(rootfs, 'etc'))) !== 'dir') return;
  for (const path of FILES) {
    const full = join(rootfs, path);
    if ((await kind(full)) === 'missing') await writeFile(full, '', { mode: 0o644, flag: 'wx' });
  }
}
