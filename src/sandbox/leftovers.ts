import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { detectCgroupLayout, removeStaleCgroups } from './cgroup.js';
import { findBinary, tryRun } from './exec.js';
import { deleteFirewallTable, listFirewallTables } from './firewall.js';
import { destroyNetwork, listNetns, listVeths } from './network.js';
import { isStaleSlot } from './slot.js';
import { STAGE_ROOT, unmountAndRemove } from './stage.js';

export interface LeftoverSweepOptions {
  /** Parent cgroup of the instances; default `kumo`. */
  cgroupParent?: string;
  /** runc's state directory; default `/run/kumo-runc`. */
  runcRoot?: string;
  /** Where the runc sandbox writes its bundles (`<dataDir>/containers`); none: bundles are not swept. */
  stateDir?: string;
}

const names = (dir: string): string[] => {
  try {
    return readdirSync(dir).filter(isStaleSlot);
  } catch {
    return [];
  }
};

/**
 * Removes what Kumo processes that died without cleaning up (SIGKILL, power loss) left on this host: their runc
 * containers, cgroups (killing the instance processes still in them), network namespaces, veths, nftables
 * tables, container bundles and staging tmpfs mounts. Resources of live Kumo processes are never touched. Returns one
 * line per removed resource; each step is best effort (a missing tool or hierarchy skips it). Runs once at each
 * `kumo serve` start and on `kumo doctor --clean`; the sandboxes themselves do not sweep.
 */
export async function sweepLeftovers(options: LeftoverSweepOptions = {}): Promise<string[]> {
  const removed: string[] = [];
  const runcRoot = options.runcRoot ?? '/run/kumo-runc';
  const runc = findBinary('runc');
  for (const id of runc ? names(runcRoot) : []) {
    if (await tryRun(runc ?? 'runc', ['--root', runcRoot, 'delete', '--force', id])) {
      removed.push(`runc container ${id}`);
    }
  }
  try {
    const layout = detectCgroupLayout();
    const cgroups = await removeStaleCgroups(layout, options.cgroupParent ?? 'kumo', isStaleSlot);
    removed.push(...cgroups.map((name) => `cgroup ${name}`));
  } catch {} // no usable cgroup hierarchy: nothing of ours can be there
  const ip = findBinary('ip');
  if (ip) {
    for (const netns of listNetns().filter(isStaleSlot)) {
      await destroyNetwork(ip, netns).then(
        () => removed.push(`netns ${netns}`),
        () => {},
      );
    }
    // A veth normally goes with its netns; one whose netns was kept alive by a stray process does not.
    for (const [veth, alias] of await listVeths(ip).catch(() => [])) {
      if (isStaleSlot(alias) && (await tryRun(ip, ['link', 'del', veth]))) {
        removed.push(`veth ${veth} (${alias})`);
      }
    }
  }
  for (const table of (await listFirewallTables().catch(() => [])).filter(isStaleSlot)) {
    await deleteFirewallTable(table).then(
      () => removed.push(`nftables table inet ${table}`),
      () => {},
    );
  }
  for (const dir of options.stateDir ? names(options.stateDir) : []) {
    const bundle = join(options.stateDir ?? '', dir);
    // The container root is an overlay mounted at rootfs/: unmount it before removing the bundle.
    if (existsSync(join(bundle, 'rootfs'))) await tryRun('umount', ['-l', join(bundle, 'rootfs')]);
    await rm(bundle, { recursive: true, force: true }).then(
      () => removed.push(`container bundle ${bundle}`),
      () => {},
    );
  }
  for (const dir of names(STAGE_ROOT)) {
    await unmountAndRemove(join(STAGE_ROOT, dir));
    removed.push(`staging tmpfs ${join(STAGE_ROOT, dir)}`);
  }
  return removed;
}
