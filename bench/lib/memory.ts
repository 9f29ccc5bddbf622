import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** `/proc/meminfo` fields in bytes. */
export function meminfo(): { totalBytes: number; availableBytes: number } {
  const text = read('/proc/meminfo') ?? '';
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { totalBytes: field('MemTotal'), availableBytes: field('MemAvailable') };
}

/** Every process below `root` (children, grandchildren, …), from `/proc/<pid>/stat`. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    if (!stat) continue;
    // The command name may contain spaces and parentheses: the ppid is the 2nd field after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

export interface ProcessMemory {
  processes: number;
  /** Sum of resident set sizes: shared pages (the node binary, libraries) counted once per process. */
  rssBytes: number;
  /** Sum of proportional set sizes: shared pages split between the processes that map them. */
  pssBytes: number;
}

/** RSS and PSS of a set of processes, from `/proc/<pid>/smaps_rollup`. */
export function processMemory(pids: readonly number[]): ProcessMemory {
  let rss = 0;
  let pss = 0;
  let processes = 0;
  for (const pid of pids) {
    const text = read(`/proc/${pid}/smaps_rollup`);
    if (!text) continue;
    processes++;
    rss += Number(/^Rss:\s+(\d+) kB/m.exec(text)?.[1] ?? 0) * 1024;
    pss += Number(/^Pss:\s+(\d+) kB/m.exec(text)?.[1] ?? 0) * 1024;
  }
  return { processes, rssBytes: rss, pssBytes: pss };
}

/**
 * Memory charged to this Kumo's instance cgroups (`kumo/kumo-<pid>-*`; bwrap sandbox only), or undefined when
 * there are none. Includes page cache the instances brought in.
 */
export function instanceCgroupBytes(kumoPid: number): { cgroups: number; bytes: number } | undefined {
  const layouts = [
    { dir: '/sys/fs/cgroup/memory/kumo', file: 'memory.usage_in_bytes' },
    { dir: '/sys/fs/cgroup/kumo', file: 'memory.current' },
  ];
  for (const { dir, file } of layouts) {
    if (!existsSync(dir)) continue;
    const mine = readdirSync(dir).filter((name) => name.startsWith(`kumo-${kumoPid}-`));
    if (mine.length === 0) continue;
    let bytes = 0;
    for (const name of mine) bytes += Number(read(join(dir, name, file))?.trim() ?? 0);
    return { cgroups: mine.length, bytes };
  }
  return undefined;
}

export const MiB = 1024 * 1024;

/** The host's IPv4 neighbour (ARP) table: entries now and the kernel's GC thresholds. */
export function arpTable(): { entries: number; gcThresh2: number; gcThresh3: number } | undefined {
  const table = read('/proc/net/arp');
  const thresh2 = read('/proc/sys/net/ipv4/neigh/default/gc_thresh2');
  const thresh3 = read('/proc/sys/net/ipv4/neigh/default/gc_thresh3');
  if (table === undefined || thresh2 === undefined || thresh3 === undefined) return undefined;
  return {
    entries: Math.max(0, table.trim().split('\n').length - 1),
    gcThresh2: Number(thresh2.trim()),
    gcThresh3: Number(thresh3.trim()),
  };
}

/** How many "neighbor table overflow" lines the kernel log holds (undefined when `dmesg` cannot be read). */
export function neighbourOverflows(): number | undefined {
  const result = spawnSync('dmesg', [], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) return undefined;
  return result.stdout.split('\n').filter((line) => line.includes('neighbor table overflow')).length;
}
