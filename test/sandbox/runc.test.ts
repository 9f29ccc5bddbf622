import { existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { createMountPoints } from '../../src/images/rootfs.js';
import {
  type InstanceHandle,
  RuncSandbox,
  runcUnavailableReason,
  type Sandbox,
  type SandboxImage,
  type SandboxSpec,
} from '../../src/sandbox/index.js';
import { runSandboxConformance } from './conformance.js';

/** Top-level host directories `node` needs; merged-/usr symlinks are recreated as symlinks. */
const HOST_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/**
 * The smallest root the suite's `node` runs in, as an image: an empty directory tree whose /usr (and /lib …) are
 * the host's, bound read-only into each container. No image config, so the sandbox's own defaults apply.
 */
function hostRootImage(dir: string): { image: SandboxImage; mounts: SandboxSpec['readOnlyMounts'] } {
  const rootfs = join(dir, 'rootfs');
  mkdirSync(join(rootfs, 'etc'), { recursive: true, mode: 0o755 });
  const mounts: Array<{ hostPath: string; sandboxPath: string }> = [];
  for (const path of HOST_DIRS.filter((p) => existsSync(p))) {
    if (lstatSync(path).isSymbolicLink()) symlinkSync(readlinkSync(path), join(rootfs, path));
    else {
      mkdirSync(join(rootfs, path), { mode: 0o755 });
      mounts.push({ hostPath: path, sandboxPath: path });
    }
  }
  const config = { entrypoint: [], cmd: [], env: [], workingDir: '', user: '' };
  return { image: { rootfs, config, digest: 'sha256:host-root' }, mounts };
}

/** Runs the suite's plain specs (host code, no image) as containers of the host-root image. */
class HostRootRunc implements Sandbox {
  readonly kind = 'runc' as const;

  constructor(
    readonly runc: RuncSandbox,
    readonly root: ReturnType<typeof hostRootImage>,
  ) {}

  get reason(): string {
    return this.runc.reason;
  }

  async start(spec: SandboxSpec): Promise<InstanceHandle> {
    const readOnlyMounts = [...(this.root.mounts ?? []), ...(spec.readOnlyMounts ?? [])];
    // The container root is a read-only overlay of the image: like an image, ours has every mount point already.
    await createMountPoints(this.root.image.rootfs);
    for (const path of ['/code', ...readOnlyMounts.map((m) => m.sandboxPath)]) {
      mkdirSync(join(this.root.image.rootfs, path), { recursive: true, mode: 0o755 });
    }
    return this.runc.start({ ...spec, image: this.root.image, readOnlyMounts });
  }

  close(): Promise<void> {
    return this.runc.close();
  }
}

const unavailable = runcUnavailableReason();
const dir = unavailable ? '' : mkdtempSync(join(tmpdir(), 'kumo-runc-test-'));
if (dir) after(() => rmSync(dir, { recursive: true, force: true }));
const root = dir ? hostRootImage(dir) : undefined;

let sandboxes = 0;
runSandboxConformance(
  async () => {
    if (!root) throw new Error(`runc is unavailable: ${unavailable}`);
    const runc = new RuncSandbox({ stateDir: join(dir, `state-${++sandboxes}`) });
    await runc.prepare();
    return new HostRootRunc(runc, root);
  },
  { skip: unavailable ? [{ reason: `runc cannot run here: ${unavailable}`, tests: 'all' }] : [] },
);
