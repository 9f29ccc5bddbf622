import { mkdirSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SandboxError } from './errors.js';
import { findBinary, run, tryRun } from './exec.js';
import { slotName } from './slot.js';
import type { SandboxSpec } from './types.js';

/** Where each Kumo process mounts its staging tmpfs, as `kumo-<pid>-<sandbox>-<n>`. */
export const STAGE_ROOT = '/run/kumo-stage';
/** Numbers the staging areas of this process: two sandboxes (or two servers) must never share a mount point. */
let opened = 0;
/** Unused copies kept for the next cold start of the same code; older ones are removed. */
const KEEP_UNUSED = 16;

interface Entry {
  dir: string;
  stamp: string;
  users: number;
  lastUsed: number;
  ready: Promise<void>;
  /** Replaced by a newer copy or trimmed: removed once its last user is gone. */
  retired: boolean;
}

/** A spec whose host directories are staged copies, and the release of those copies. */
export interface StagedSpec {
  spec: SandboxSpec;
  release(): void;
}

/**
 * Copies of the directories an instance sees (its code, the runtime agents) on a tmpfs of Kumo's own. A bind
 * mount's root in `/proc/self/mountinfo` is its path inside the filesystem it comes from, so binding from the
 * data dir would show the instance the host path of every mount; from this tmpfs it shows `/c<n>`. A directory
 * is copied once (`cp -a`) and shared by every instance that uses it; it is copied again when its inode or
 * mtime changes (code directories are content-addressed and never change).
 */
export class StagingArea {
  readonly #entries = new Map<string, Entry>();
  #counter = 0;

  private constructor(readonly root: string) {}

  /** Mounts the tmpfs; undefined when it cannot. A dead Kumo's mounts go with `sweepLeftovers`. */
  static async open(sandbox: string): Promise<StagingArea | undefined> {
    const mount = findBinary('mount');
    if (!mount || process.getuid?.() !== 0) return undefined;
    mkdirSync(STAGE_ROOT, { recursive: true, mode: 0o755 });
    const root = join(STAGE_ROOT, slotName(`${sandbox}-${++opened}`));
    mkdirSync(root, { recursive: true, mode: 0o755 });
    if (!(await tryRun(mount, ['-t', 'tmpfs', '-o', 'mode=0755,nosuid,nodev', 'kumo-stage', root]))) {
      await rm(root, { recursive: true, force: true }).catch(() => {});
      return undefined;
    }
    return new StagingArea(root);
  }

  /** `spec` with `codeDir` and the read-only mounts' host paths replaced by staged copies. */
  async stage(spec: SandboxSpec): Promise<StagedSpec> {
    const taken: Entry[] = [];
    const release = () => {
      for (const entry of taken.splice(0)) {
        entry.users--;
        entry.lastUsed = Date.now();
        if (entry.retired && entry.users === 0) removeCopy(entry);
      }
      this.#trim();
    };
    const copy = async (hostPath: string): Promise<string> => {
      const entry = this.#acquire(hostPath);
      taken.push(entry);
      await entry.ready;
      return entry.dir;
    };
    try {
      const codeDir = spec.codeDir ? await copy(spec.codeDir) : spec.codeDir;
      const readOnlyMounts = await Promise.all(
        (spec.readOnlyMounts ?? []).map(async (m) => ({ ...m, hostPath: await copy(m.hostPath) })),
      );
      return { spec: { ...spec, codeDir, readOnlyMounts }, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  #acquire(hostPath: string): Entry {
    const stat = statSync(hostPath, { throwIfNoEntry: false });
    if (!stat?.isDirectory()) throw new SandboxError(`${hostPath} is not a directory`);
    const stamp = `${stat.ino}:${stat.mtimeMs}`;
    let entry = this.#entries.get(hostPath);
    if (entry?.stamp !== stamp) {
      if (entry) this.#retire(hostPath, entry);
      const dir = join(this.root, `c${++this.#counter}`);
      const ready = copyTree(hostPath, dir);
      const fresh: Entry = { dir, stamp, users: 0, lastUsed: Date.now(), ready, retired: false };
      fresh.ready.catch(() => this.#entries.get(hostPath) === fresh && this.#entries.delete(hostPath));
      this.#entries.set(hostPath, fresh);
      entry = fresh;
    }
    entry.users++;
    return entry;
  }

  /** Forgets a copy; its files go once no instance uses it (a bind mount shares them, it does not keep them). */
  #retire(hostPath: string, entry: Entry): void {
    this.#entries.delete(hostPath);
    entry.retired = true;
    if (entry.users === 0) removeCopy(entry);
  }

  #trim(): void {
    const unused = [...this.#entries]
      .filter(([, e]) => e.users === 0)
      .sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [hostPath, entry] of unused.slice(0, Math.max(0, unused.length - KEEP_UNUSED)))
      this.#retire(hostPath, entry);
  }

  /** Unmounts the tmpfs (lazily: an instance still stopping may hold a mount from it). */
  close(): Promise<void> {
    this.#entries.clear();
    return unmountAndRemove(this.root);
  }
}

function removeCopy(entry: Entry): void {
  void entry.ready.then(() => rm(entry.dir, { recursive: true, force: true })).catch(() => {});
}

async function copyTree(from: string, to: string): Promise<void> {
  const partial = `${to}.partial`;
  try {
    await run('cp', ['-a', '--no-preserve=ownership', '--', `${from}/.`, partial], { timeoutMs: 120_000 });
    await rename(partial, to);
  } catch (error) {
    await rm(partial, { recursive: true, force: true }).catch(() => {});
    throw new SandboxError(`cannot stage ${from} for the sandbox: ${(error as Error).message}`);
  }
}

export async function unmountAndRemove(dir: string): Promise<void> {
  await tryRun('umount', ['-l', dir]);
  await rm(dir, { recursive: true, force: true }).catch(() => {});
}
