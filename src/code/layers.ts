/**
 * A function's layers merged into one read-only tree for `/opt`: content-addressed by the ordered list of layer
 * packages (and the mount points kept free), built once in a temp dir and renamed into place.
 */
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, lstat, mkdir, readdir, readlink, rename, rm, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { CodeStore } from './store.js';

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * Copies `src` over `dest`, never following a link in `dest`: what `src` has replaces what `dest` has at the
 * same path (a file replaces a directory and the other way round), directories merge.
 */
async function overlay(src: string, dest: string): Promise<void> {
  for (const entry of await readdir(src, { withFileTypes: true })) {
    const from = join(src, entry.name);
    const to = join(dest, entry.name);
    const existing = await lstat(to).catch(() => undefined);
    if (entry.isDirectory()) {
      if (existing && !existing.isDirectory()) await rm(to, { force: true });
      if (!existing?.isDirectory()) await mkdir(to, { mode: 0o755 });
      await overlay(from, to);
      continue;
    }
    if (existing) await rm(to, { recursive: true, force: true });
    if (entry.isSymbolicLink()) await symlink(await readlink(from), to);
    else if (entry.isFile()) await copyFile(from, to);
  }
}

/**
 * Empties the top directory of each reserved path and recreates the path as real directories: a runtime's own
 * mount goes there, and no layer file may sit beside it or replace a directory on its way with a link.
 */
async function reserve(root: string, reserved: readonly string[]): Promise<void> {
  for (const path of reserved) {
    const segments = path.split('/').filter((s) => s !== '' && s !== '.' && s !== '..');
    if (segments.length === 0) continue;
    await rm(join(root, segments[0] as string), { recursive: true, force: true });
    await mkdir(join(root, ...segments), { recursive: true, mode: 0o755 });
  }
}

export class LayerMerges {
  readonly #store: CodeStore;
  readonly #dir: string;
  readonly #building = new Map<string, Promise<string>>();

  /** `dir`: where merged trees live (a cache: each is rebuilt from the stored layer zips when missing). */
  constructor(store: CodeStore, dir: string) {
    this.#store = store;
    this.#dir = dir;
  }

  /**
   * The merged tree of `packages` (layer zips' sha256, in the function's order). FC's rule: the layer listed
   * first wins a path present in several, so they are laid down last to first. `reserved` (paths relative to
   * `/opt`) are left as empty directories for mounts that must stay Kumo's own.
   */
  async mergedDir(packages: readonly string[], reserved: readonly string[] = []): Promise<string> {
    const key = createHash('sha256').update(JSON.stringify({ packages, reserved })).digest('hex');
    const pending = this.#building.get(key);
    if (pending) return pending;
    const build = this.#build(key, packages, reserved).finally(() => this.#building.delete(key));
    this.#building.set(key, build);
    return build;
  }

  async #build(key: string, packages: readonly string[], reserved: readonly string[]): Promise<string> {
    const target = join(this.#dir, key);
    if (await exists(target)) return target;
    const sources = await Promise.all(packages.map((sha256) => this.#store.unpackedDir(sha256)));
    await mkdir(this.#dir, { recursive: true, mode: 0o755 });
    const tmp = join(this.#dir, `.${key}.tmp-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(tmp, { mode: 0o755 });
      for (const source of [...sources].reverse()) await overlay(source, tmp);
      await reserve(tmp, reserved);
      await rename(tmp, target).catch(async (err: unknown) => {
        // Another process built the same tree first; its content is identical.
        if (!(await exists(target))) throw err;
        await rm(tmp, { recursive: true, force: true });
      });
      return target;
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }
}
