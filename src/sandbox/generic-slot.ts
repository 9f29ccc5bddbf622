import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SandboxError } from './errors.js';
import { run } from './exec.js';
import type { MountHelper } from './mount-helper.js';
import { hostsFile } from './slot.js';

/**
 * The host side of a generic (pre-warmed) instance: a tiny tmpfs of its own, mounted with shared propagation,
 * holding the mount point the instance sees at `/code` and the file it sees at `/etc/hosts`. bwrap makes the
 * instance's mounts slaves of the host's, so the code bound later over `code/` on the host appears at `/code`
 * inside; the bind is read-only, nosuid and nodev from the start (remount flags would not propagate). Both mounts
 * are roots of Kumo's own tmpfs filesystems, so the instance's mountinfo shows `/code` and `/c<n>`, no host path.
 */
export class GenericSlot {
  #codeBound = false;

  private constructor(
    readonly dir: string,
    readonly helper: MountHelper,
  ) {}

  /** Where the instance's `/code` comes from (an empty directory until `bindCode`). */
  get codeDir(): string {
    return join(this.dir, 'code');
  }

  get hostsPath(): string {
    return join(this.dir, 'hosts');
  }

  /** Mounts the slot's tmpfs at `dir` (under the staging tmpfs) with its code mount point and hosts file. */
  static async open(dir: string, helper: MountHelper, instanceId: string, ip: string): Promise<GenericSlot> {
    mkdirSync(dir, { mode: 0o755 });
    const options = 'size=64k,mode=0755,nosuid,nodev,noexec';
    try {
      await run('mount', ['-t', 'tmpfs', '-o', options, '--make-shared', 'kumo-slot', dir]);
    } catch (error) {
      await rm(dir, { recursive: true, force: true }).catch(() => {});
      throw new SandboxError(`cannot mount the pre-warm slot ${dir}: ${(error as Error).message}`);
    }
    const slot = new GenericSlot(dir, helper);
    mkdirSync(slot.codeDir, { mode: 0o755 });
    mkdirSync(join(dir, 'spare'), { mode: 0o700 });
    slot.writeHosts(instanceId, ip);
    return slot;
  }

  /** Rewrites the hosts file in place (the instance's bind holds this inode). */
  writeHosts(instanceId: string, ip: string): void {
    writeFileSync(this.hostsPath, hostsFile(instanceId, ip), { mode: 0o644 });
  }

  /**
   * Binds the (staged) code directory read-only over the mount point (the instance sees it at `/code`), then sets
   * the host name of the UTS namespace `hostname.pid` is in.
   */
  async bindCode(source: string, hostname: { pid: number; name: string }): Promise<void> {
    if (this.#codeBound) throw new SandboxError('this instance already has its code');
    this.#codeBound = true; // unmounted on close even when only the bind succeeded
    await this.helper.bindReadOnly(source, this.codeDir, join(this.dir, 'spare'), hostname);
  }

  /** Detaches the code and the slot's tmpfs and removes the mount point. */
  async close(): Promise<void> {
    if (this.#codeBound) await this.helper.unmount(this.codeDir).catch(() => {});
    await this.helper.unmount(this.dir).catch(() => {});
    await rm(this.dir, { recursive: true, force: true }).catch(() => {});
  }
}
