import { SandboxError } from './errors.js';
import type { SandboxSpec } from './types.js';

const ID = /^[a-z0-9-]{1,32}$/;
const ENV_KEY = /^[^=\0]+$/;

/** Rejects specs the sandboxes cannot run safely (bad ids, ports, limits, env names). */
export function validateSpec(spec: SandboxSpec): void {
  const fail = (what: string) => {
    throw new SandboxError(`invalid sandbox spec for '${spec.instanceId}': ${what}`);
  };
  if (!ID.test(spec.instanceId)) fail('instanceId must match [a-z0-9-]{1,32}');
  if (spec.command.length === 0 || !spec.command[0]) fail('command is empty');
  if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535)
    fail(`port ${spec.port} is not 1-65535`);
  for (const key of ['memoryMb', 'pidsLimit', 'tmpSizeMb'] as const) {
    if (!Number.isInteger(spec[key]) || spec[key] <= 0) fail(`${key} must be a positive integer`);
  }
  if (spec.cpuCores !== undefined && !(Number.isFinite(spec.cpuCores) && spec.cpuCores > 0))
    fail('cpuCores must be a positive number');
  for (const [key, value] of Object.entries(spec.env)) {
    if (!ENV_KEY.test(key) || value.includes('\0'))
      fail(`environment variable '${key}' has an invalid name or value`);
  }
  for (const mount of spec.readOnlyMounts ?? []) {
    if (!mount.sandboxPath.startsWith('/') || mount.sandboxPath === '/')
      fail(`bad mount path '${mount.sandboxPath}'`);
  }
  for (const [fcPath, target] of Object.entries(spec.fcPaths ?? {})) {
    if (!fcPath.startsWith('/usr/local/') || fcPath.includes('..') || !target.startsWith('/'))
      fail(`bad FC install path '${fcPath}' → '${target}'`);
  }
  if ([...spec.command, spec.codeDir].some((arg) => arg.includes('\0')))
    fail('command or codeDir contains NUL');
}

/** Pairs of [path as the instance sees it, host path]: `/code` plus the extra read-only mounts. */
export function pathMap(spec: SandboxSpec): Array<[string, string]> {
  return [
    ['/code', spec.codeDir],
    ...(spec.readOnlyMounts ?? []).map((m): [string, string] => [m.sandboxPath, m.hostPath]),
  ];
}

/** Rewrites argv elements under a sandbox path (e.g. `/code/bootstrap`) to the host path. */
export function rewriteArgv(argv: readonly string[], map: ReadonlyArray<[string, string]>): string[] {
  return argv.map((arg) => {
    for (const [inside, host] of map) {
      const prefix = inside.replace(/\/+$/, '');
      if (arg === prefix) return host;
      if (arg.startsWith(`${prefix}/`)) return host.replace(/\/+$/, '') + arg.slice(prefix.length);
    }
    return arg;
  });
}

/** The port variables every instance gets. */
export const portEnv = (port: number): Record<string, string> => ({
  FC_SERVER_PORT: String(port),
  FC_CUSTOM_LISTEN_PORT: String(port),
});
