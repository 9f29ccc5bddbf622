import { existsSync, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SYSTEM_PATH } from './exec.js';
import { usrLocalArgs } from './fc-paths.js';
import { seccompProgram, seccompSupported } from './seccomp.js';
import { hostsFile } from './slot.js';
import { pathMap, portEnv } from './spec.js';
import type { SandboxSpec } from './types.js';

/** Top-level host directories interpreters need; symlinks (merged /usr) are recreated as symlinks. */
const ROOT_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/** The parts of /etc that programs need (name resolution, TLS roots, users, the dynamic loader, time zone). */
const ETC_FILES = new Set(
  (
    'alternatives ca-certificates ca-certificates.conf crypto-policies gai.conf host.conf ' +
    'ld.so.cache ld.so.conf ld.so.conf.d localtime mime.types nsswitch.conf os-release pki ' +
    'protocols resolv.conf services ssl timezone debian_version'
  ).split(' '),
);
/** Per-interpreter configuration directories (`/etc/python3.11`, `/etc/php`, `/etc/java-17-openjdk` …). */
const ETC_PREFIXES = [
  'python',
  'php',
  'java',
  'perl',
  'ruby',
  'dotnet',
  'mono',
  'fonts',
  'ImageMagick',
  'maven',
];

/**
 * Variables the glibc loader and libc treat as unsafe for privileged programs (unsecvars.h). They must not
 * reach `setpriv`, which still runs as root inside the sandbox, so they are applied only after the uid switch.
 */
const LOADER_UNSAFE = new Set(
  (
    'GCONV_PATH GETCONF_DIR GLIBC_TUNABLES HOSTALIASES LD_AUDIT LD_DEBUG LD_DEBUG_OUTPUT LD_DYNAMIC_WEAK ' +
    'LD_HWCAP_MASK LD_LIBRARY_PATH LD_ORIGIN_PATH LD_PRELOAD LD_PROFILE LD_SHOW_AUXV LD_USE_LOAD_BIAS ' +
    'LOCALDOMAIN LOCPATH MALLOC_TRACE NIS_PATH NLSPATH RESOLV_HOST_CONF RES_OPTIONS TMPDIR TZ TZDIR'
  ).split(' '),
);

/** Read-only binds of the host's system folders and the parts of /etc programs need (shared with builds). */
export function hostRootArgs(): string[] {
  const args: string[] = [];
  for (const dir of ROOT_DIRS) {
    if (!existsSync(dir)) continue;
    if (lstatSync(dir).isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else args.push('--ro-bind', dir, dir);
  }
  args.push('--perms', '0755', '--dir', '/etc'); // bwrap creates missing parents with mode 0700
  for (const name of readdirSync('/etc').sort()) {
    if (ETC_FILES.has(name) || ETC_PREFIXES.some((prefix) => name.startsWith(prefix))) {
      args.push('--ro-bind', join('/etc', name), join('/etc', name));
    }
  }
  return args;
}

/** File descriptors on which bwrap reads the instance's files and its seccomp filter (written by the caller). */
const DATA_FDS = { hosts: 4, passwd: 5, group: 6, seccomp: 7 } as const;

/** Users an instance sees: root and the uid it runs as, nothing of the host's. */
const passwdFile = (uid: number): string =>
  `root:x:0:0:root:/root:/usr/sbin/nologin\nuser:x:${uid}:${uid}:Function Compute user:/tmp:/usr/sbin/nologin\n`;
const groupFile = (uid: number): string => `root:x:0:\nuser:x:${uid}:\n`;

/** What the caller writes to fds 4, 5 … of the command (fd 3 carries bwrap's arguments). */
export function dataFds(spec: SandboxSpec, ip: string, uid: number): Buffer[] {
  return [
    Buffer.from(hostsFile(spec.instanceId, ip)),
    Buffer.from(passwdFile(uid)),
    Buffer.from(groupFile(uid)),
    ...(seccompSupported() ? [seccompProgram()] : []),
  ];
}

export interface SandboxCommand {
  /** Options for bwrap, passed through `--args FD` so environment values never show in a host `ps`. */
  bwrapArgs: string[];
  /** The command after bwrap's options: setpriv, then (if needed) `env` with the loader variables, then argv. */
  command: string[];
}

/** The environment an instance sees: a sane PATH and HOME, the function's env, the FC port and code path. */
export function sandboxEnv(spec: SandboxSpec): Record<string, string> {
  return { PATH: SYSTEM_PATH, HOME: '/tmp', ...spec.env, ...portEnv(spec.port), FC_FUNC_CODE_PATH: '/code' };
}

/** The namespaces every bwrap sandbox of Kumo gets (instances and builds); the network is each caller's choice. */
export const NAMESPACE_ARGS: readonly string[] = [
  '--die-with-parent',
  '--new-session',
  '--unshare-pid',
  '--unshare-ipc',
  '--unshare-uts',
  '--unshare-cgroup-try',
];

/**
 * Builds the bwrap options and the command (run as `uid`, no capabilities, no new privileges). `hostsPath`: a host
 * file to bind at `/etc/hosts` instead of the data on fd 4 (a pre-warmed instance's, rewritten when specialised).
 */
export function buildSandboxCommand(
  spec: SandboxSpec,
  setpriv: string,
  uid: number,
  hostsPath?: string,
): SandboxCommand {
  const env = sandboxEnv(spec);
  const bwrapArgs = [
    ...NAMESPACE_ARGS,
    '--hostname',
    `fc-${spec.instanceId}`,
    ...hostRootArgs(),
    ...usrLocalArgs(spec.fcPaths),
    // The instance's own /etc/hosts: its hostname must resolve without DNS, or servers that look it up at start
    // (Python's http.server: getfqdn) hang until the DNS timeout. /etc/passwd and /etc/group: no host users.
    ...['hosts', 'passwd', 'group'].flatMap((name) =>
      name === 'hosts' && hostsPath
        ? ['--ro-bind', hostsPath, '/etc/hosts']
        : [
            '--perms',
            '0644',
            '--ro-bind-data',
            String(DATA_FDS[name as 'hosts' | 'passwd' | 'group']),
            `/etc/${name}`,
          ],
    ),
    ...(seccompSupported() ? ['--seccomp', String(DATA_FDS.seccomp)] : []),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--perms',
    '1777',
    '--size',
    String(spec.tmpSizeMb * 1024 * 1024),
    '--tmpfs',
    '/tmp',
  ];
  const made = new Set(['/', '/tmp', '/etc', '/usr/local', ...ROOT_DIRS]);
  // A parent before its children (a shorter path first): layers at /opt, then a runtime's agents under it.
  const mounts = pathMap(spec).sort(([a], [b]) => a.length - b.length);
  for (const [inside, host] of mounts) {
    const parents: string[] = [];
    for (let dir = dirname(inside); !made.has(dir); dir = dirname(dir)) parents.unshift(dir);
    for (const dir of parents) bwrapArgs.push('--perms', '0755', '--dir', dir);
    for (const dir of parents) made.add(dir);
    bwrapArgs.push('--ro-bind', host, inside);
  }
  bwrapArgs.push('--chdir', '/code', '--clearenv');
  const late: string[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (LOADER_UNSAFE.has(key) || key.startsWith('LD_')) late.push(`${key}=${value}`);
    else bwrapArgs.push('--setenv', key, value);
  }
  const drop = [setpriv, `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--inh-caps=-all'];
  drop.push('--ambient-caps=-all', '--bounding-set=-all', '--no-new-privs', '--');
  const command =
    late.length > 0 ? [...drop, '/usr/bin/env', ...late, ...spec.command] : [...drop, ...spec.command];
  return { bwrapArgs, command };
}
