import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SandboxError } from './errors.js';
import { sleep } from './exec.js';

/**
 * Where the memory and pids controllers live: two v1 hierarchies, or one v2 (unified) hierarchy; and whether the
 * cpu controller is there too (v1: its own hierarchy; v2: `cpu` delegated with the others).
 */
export type CgroupLayout =
  | { version: 1; memory: string; pids: string; cpu?: string }
  | { version: 2; root: string; cpu: boolean };

interface Mount {
  mountPoint: string;
  fsType: string;
  superOptions: string[];
}

function readMounts(): Mount[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .flatMap((line) => {
      const [left, right] = line.split(' - ');
      const mountPoint = left?.split(' ')[4];
      const [fsType, , options] = right?.split(' ') ?? [];
      if (!mountPoint || !fsType) return [];
      return [{ mountPoint, fsType, superOptions: (options ?? '').split(',') }];
    });
}

export const read = (path: string): string => readFileSync(path, 'utf8');

/** Finds the cgroup hierarchy holding the memory and pids controllers; throws a `SandboxError` saying what is missing. */
export function detectCgroupLayout(): CgroupLayout {
  const mounts = readMounts();
  const v1 = (controller: string) =>
    mounts.find((m) => m.fsType === 'cgroup' && m.superOptions.includes(controller))?.mountPoint;
  const memory = v1('memory');
  const pids = v1('pids');
  const cpu = v1('cpu');
  if (memory && pids) return cpu ? { version: 1, memory, pids, cpu } : { version: 1, memory, pids };
  for (const mount of mounts.filter((m) => m.fsType === 'cgroup2')) {
    let controllers: string[] = [];
    try {
      controllers = read(join(mount.mountPoint, 'cgroup.controllers')).split(/\s+/);
    } catch {}
    if (controllers.includes('memory') && controllers.includes('pids'))
      return { version: 2, root: mount.mountPoint, cpu: controllers.includes('cpu') };
  }
  throw new SandboxError(
    `no cgroup hierarchy with both the memory and pids controllers (v1 memory: ${memory ?? 'none'}, ` +
      `v1 pids: ${pids ?? 'none'}, no cgroup2 mount offers both)`,
  );
}

export function parentDirs(layout: CgroupLayout, parent: string): string[] {
  if (layout.version === 2) return [join(layout.root, parent)];
  const dirs = [join(layout.memory, parent), join(layout.pids, parent)];
  return layout.cpu ? [...dirs, join(layout.cpu, parent)] : dirs;
}

function enableControllers(dir: string, cpu: boolean): void {
  const enabled = read(join(dir, 'cgroup.subtree_control')).split(/\s+/);
  const missing = ['memory', 'pids'].filter((c) => !enabled.includes(c));
  if (missing.length > 0)
    writeFileSync(join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
  if (!cpu || enabled.includes('cpu')) return;
  try {
    writeFileSync(join(dir, 'cgroup.subtree_control'), '+cpu');
  } catch {} // e.g. real-time processes outside the root: instances then run without a CPU quota
}

/** Creates the parent cgroup (e.g. `kumo/`) and, on v2, delegates memory + pids (+ cpu) to it. */
export function ensureCgroupParent(layout: CgroupLayout, parent: string): void {
  try {
    if (layout.version === 2) enableControllers(layout.root, layout.cpu);
    for (const dir of parentDirs(layout, parent)) mkdirSync(dir, { recursive: true });
    if (layout.version === 2) enableControllers(join(layout.root, parent), layout.cpu);
  } catch (error) {
    throw new SandboxError(`cannot prepare cgroup parent '${parent}': ${(error as Error).message}`);
  }
}

function listPids(dir: string): number[] {
  try {
    return read(join(dir, 'cgroup.procs')).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Kills every process in the cgroup dirs, waits until they are empty, then (by default) removes them. */
export async function killAndRemove(
  dirs: readonly string[],
  { remove = true, timeoutMs = 5000 }: { remove?: boolean; timeoutMs?: number } = {},
): Promise<void> {
  const present = dirs.filter((dir) => existsSync(dir));
  const killFile = present.map((dir) => join(dir, 'cgroup.kill')).find((f) => existsSync(f));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = [...new Set(present.flatMap(listPids))];
    if (pids.length === 0) break;
    if (Date.now() > deadline)
      throw new SandboxError(`processes ${pids.join(',')} survived SIGKILL in ${present[0]}`);
    if (killFile) writeFileSync(killFile, '1');
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    await sleep(10);
  }
  if (!remove) return;
  for (const dir of present) {
    for (let attempt = 0; ; attempt++) {
      try {
        rmdirSync(dir);
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') break;
        if (attempt >= 100)
          throw new SandboxError(`cannot remove cgroup ${dir}: ${(error as Error).message}`);
        await sleep(20);
      }
    }
  }
}

/** Removes cgroups under `parent` whose name `isStale` accepts (left over by a crashed Kumo). */
export async function removeStaleCgroups(
  layout: CgroupLayout,
  parent: string,
  isStale: (name: string) => boolean,
): Promise<string[]> {
  const removed = new Set<string>();
  for (const dir of parentDirs(layout, parent)) {
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || !isStale(entry.name)) continue;
      await killAndRemove([join(dir, entry.name)]);
      removed.add(entry.name);
    }
  }
  return [...removed];
}
