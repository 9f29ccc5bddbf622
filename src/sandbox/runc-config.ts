import { existsSync } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SandboxError } from './errors.js';
import { SYSTEM_PATH } from './exec.js';
import { ociSeccomp, seccompSupported } from './seccomp.js';
import { portEnv } from './spec.js';
import type { SandboxImage, SandboxSpec } from './types.js';

export interface ContainerUser {
  uid: number;
  gid: number;
}

export interface OciOptions {
  /** Host path of the root filesystem (the shared cached rootfs, or a per-instance overlay). */
  rootfs: string;
  readonlyRootfs: boolean;
  /** Host path of the instance's /etc/hosts. */
  hostsFile: string;
  /** `/run/netns/<name>`: the network namespace made for the instance. */
  netnsPath: string;
  /** Absolute cgroup path below each hierarchy's root, e.g. `/kumo/kumo-123-i-abc`. */
  cgroupsPath: string;
  user: ContainerUser;
  /** The CFS quota (`cpuLimit`), when the cgroup hierarchy has the cpu controller. */
  cpu?: { quotaUs: number; periodUs: number };
}

const NO_CAPS = { bounding: [], effective: [], inheritable: [], permitted: [], ambient: [] };

/** The container's environment: the image's, then the function's (FC_* and user variables), then the port. */
export function containerEnv(spec: SandboxSpec, image: SandboxImage): string[] {
  const env = new Map<string, string>();
  for (const entry of image.config.env) {
    const at = entry.indexOf('=');
    if (at > 0) env.set(entry.slice(0, at), entry.slice(at + 1));
  }
  for (const [key, value] of Object.entries(spec.env)) env.set(key, value);
  for (const [key, value] of Object.entries(portEnv(spec.port))) env.set(key, value);
  if (spec.codeDir) env.set('FC_FUNC_CODE_PATH', '/code');
  if (!env.has('PATH')) env.set('PATH', SYSTEM_PATH);
  if (!env.has('HOME')) env.set('HOME', '/tmp');
  return [...env].map(([key, value]) => `${key}=${value}`);
}

/** An OCI runtime config (config.json) for one instance of `spec`, run by runc. */
export function ociConfig(spec: SandboxSpec, image: SandboxImage, o: OciOptions): Record<string, unknown> {
  const ro = (source: string, destination: string) => ({
    destination,
    type: 'bind',
    source,
    options: ['rbind', 'ro', 'nosuid', 'nodev'],
  });
  const mounts: unknown[] = [
    { destination: '/proc', type: 'proc', source: 'proc' },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'],
    },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
    },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    {
      destination: '/tmp',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'nodev', 'mode=1777', `size=${spec.tmpSizeMb}m`],
    },
    ro(o.hostsFile, '/etc/hosts'),
  ];
  if (existsSync('/etc/resolv.conf')) mounts.push(ro('/etc/resolv.conf', '/etc/resolv.conf'));
  if (spec.codeDir) mounts.push(ro(spec.codeDir, '/code'));
  for (const mount of spec.readOnlyMounts ?? []) mounts.push(ro(mount.hostPath, mount.sandboxPath));
  const memoryBytes = spec.memoryMb * 1024 * 1024;
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: o.user.uid, gid: o.user.gid },
      args: spec.command,
      env: containerEnv(spec, image),
      // The image's WORKDIR; without one, the code root as in every sandbox (an image alone: `/`).
      cwd: image.config.workingDir || (spec.codeDir ? '/code' : '/'),
      capabilities: NO_CAPS,
      noNewPrivileges: true,
    },
    root: { path: o.rootfs, readonly: o.readonlyRootfs },
    hostname: `fc-${spec.instanceId}`,
    mounts,
    linux: {
      cgroupsPath: o.cgroupsPath,
      resources: {
        devices: [{ allow: false, access: 'rwm' }],
        memory: { limit: memoryBytes },
        pids: { limit: spec.pidsLimit },
        ...(o.cpu && { cpu: { quota: o.cpu.quotaUs, period: o.cpu.periodUs } }),
      },
      ...(seccompSupported() && { seccomp: ociSeccomp() }),
      // The namespace is the instance's own: a server running as non-root may still listen on CAPort 80.
      sysctl: { 'net.ipv4.ip_unprivileged_port_start': '0' },
      namespaces: [
        { type: 'pid' },
        { type: 'ipc' },
        { type: 'uts' },
        { type: 'mount' },
        { type: 'network', path: o.netnsPath },
      ],
      maskedPaths: [
        '/proc/acpi',
        '/proc/asound',
        '/proc/kcore',
        '/proc/keys',
        '/proc/latency_stats',
        '/proc/timer_list',
        '/proc/timer_stats',
        '/proc/sched_debug',
        '/proc/scsi',
        '/sys/firmware',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/** Reads `etc/<name>` of a rootfs only when it and `etc` are real (no symlink can point Kumo at a host file). */
async function readImageFile(rootfs: string, name: string): Promise<string> {
  try {
    const etc = await lstat(join(rootfs, 'etc'));
    const file = await lstat(join(rootfs, 'etc', name));
    if (!etc.isDirectory() || !file.isFile() || file.size > 1024 * 1024) return '';
    return await readFile(join(rootfs, 'etc', name), 'utf8');
  } catch {
    return '';
  }
}

function lookup(table: string, name: string): string[] | undefined {
  return table
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === name || fields[2] === name);
}

const isNumber = (s: string) => /^\d+$/.test(s);

/**
 * The uid/gid the container runs as: the image's `User` (`uid`, `uid:gid`, `name`, `name:group`, names looked
 * up in the image's /etc/passwd and /etc/group), or `fallbackUid` (from 10000–10999) when the image names no
 * user or root: Kumo never runs an image as root.
 */
export async function resolveImageUser(image: SandboxImage, fallbackUid: number): Promise<ContainerUser> {
  const spec = image.config.user.trim();
  const fallback = { uid: fallbackUid, gid: fallbackUid };
  if (spec === '') return fallback;
  const [userPart = '', groupPart] = spec.split(':', 2);
  const passwd =
    isNumber(userPart) && groupPart !== undefined ? '' : await readImageFile(image.rootfs, 'passwd');
  const entry = userPart === '' ? undefined : lookup(passwd, userPart);
  let uid: number;
  if (isNumber(userPart)) uid = Number(userPart);
  else if (entry?.[2] !== undefined && isNumber(entry[2])) uid = Number(entry[2]);
  else throw new SandboxError(`the image's user '${userPart}' is not in its /etc/passwd`);
  if (uid === 0) return fallback;
  let gid = entry?.[3] !== undefined && isNumber(entry[3]) ? Number(entry[3]) : uid;
  if (groupPart !== undefined && groupPart !== '') {
    if (isNumber(groupPart)) gid = Number(groupPart);
    else {
      const group = lookup(await readImageFile(image.rootfs, 'group'), groupPart);
      if (group?.[2] === undefined || !isNumber(group[2])) {
        throw new SandboxError(`the image's group '${groupPart}' is not in its /etc/group`);
      }
      gid = Number(group[2]);
    }
  }
  return { uid, gid: gid === 0 ? uid : gid };
}
