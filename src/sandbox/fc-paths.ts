import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { findBinary } from './exec.js';

/** One of FC's language install paths, and the host executable that serves it. */
export interface InstallPath {
  /** Where FC's images have it (`/usr/local/bin/node`). */
  fcPath: string;
  /** The host executable, symlinks resolved. */
  hostPath: string;
}

/** FC's install paths of the interpreters its custom runtime images carry, and the host program for each. */
const WANTED: ReadonlyArray<[fcPath: string, hostName: string]> = [
  ['/usr/local/bin/node', 'node'],
  ['/usr/local/bin/npm', 'npm'],
  ['/usr/local/bin/python3', 'python3'],
  ['/usr/local/bin/python', 'python3'],
  ['/usr/local/bin/pip3', 'pip3'],
  ['/usr/local/ruby/bin/ruby', 'ruby'],
  ['/usr/local/ruby/bin/gem', 'gem'],
  ['/usr/local/ruby/bin/bundle', 'bundle'],
  ['/usr/local/ruby/bin/irb', 'irb'],
];

let cached: InstallPath[] | undefined;

/** The install paths this machine can serve (an interpreter it lacks is left out). Looked up once. */
export function installPaths(): readonly InstallPath[] {
  if (cached) return cached;
  cached = [];
  for (const [fcPath, hostName] of WANTED) {
    const found = hostName === 'node' ? process.execPath : findBinary(hostName);
    if (!found) continue;
    // Resolved: a symlink inside the sandbox must lead to a path the sandbox has (its /usr, not /usr/local).
    cached.push({ fcPath, hostPath: realpathSync(found) });
  }
  return cached;
}

/**
 * bwrap options that give the sandbox FC's `/usr/local`: a read-only tmpfs holding FC's install paths as
 * symlinks to the host's interpreters, and `/usr/local/lib`. The host's own `/usr/local` stays hidden; a host
 * interpreter that lives under it is bound at its own path so the symlink still leads somewhere. `overrides`
 * (a spec's `fcPaths`) point some of FC's paths at the instance's own interpreter instead.
 */
export function usrLocalArgs(overrides: Readonly<Record<string, string>> = {}): string[] {
  const args = ['--perms', '0755', '--tmpfs', '/usr/local'];
  const dirs = new Set(['/usr/local']);
  const mkdir = (dir: string) => {
    const missing: string[] = [];
    for (let d = dir; !dirs.has(d); d = dirname(d)) missing.unshift(d);
    for (const d of missing) {
      args.push('--perms', '0755', '--dir', d);
      dirs.add(d);
    }
  };
  mkdir('/usr/local/lib');
  const bound = new Set<string>();
  for (const { hostPath } of installPaths()) {
    if (!hostPath.startsWith('/usr/local/') || bound.has(hostPath)) continue;
    mkdir(dirname(hostPath));
    args.push('--ro-bind', hostPath, hostPath);
    bound.add(hostPath);
  }
  const links = new Map(installPaths().map(({ fcPath, hostPath }) => [fcPath, hostPath]));
  for (const [fcPath, target] of Object.entries(overrides)) links.set(fcPath, target);
  for (const [fcPath, target] of links) {
    if (fcPath === target) continue;
    mkdir(dirname(fcPath));
    args.push('--symlink', target, fcPath);
  }
  args.push('--remount-ro', '/usr/local');
  return args;
}

/** Variables holding `:`-separated directory lists. */
const PATH_LISTS = ['PATH', 'LD_LIBRARY_PATH', 'NODE_PATH', 'PYTHONPATH'];

/**
 * For the process sandbox, which has no private filesystem: the directory lists of `env` with FC's install
 * directories replaced by the host directories of their interpreters (`/usr/local/ruby/bin` → `/usr/bin`) and
 * paths under a sandbox path (`/code/lib`) by `mapPath`'s host path.
 */
export function hostPathLists(
  env: Readonly<Record<string, string>>,
  mapPath: (path: string) => string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PATH_LISTS) {
    const value = env[name];
    if (value === undefined) continue;
    out[name] = value
      .split(':')
      .map((dir) => {
        const served = installPaths().find((p) => dirname(p.fcPath) === dir);
        return served ? dirname(served.hostPath) : mapPath(dir);
      })
      .join(':');
  }
  return out;
}
