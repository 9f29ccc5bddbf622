import type { RegistryCredentials, RegistrySettings } from './skopeo.js';

const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(?::\d{1,5})?$/;

/**
 * A registry on this machine's loopback (`localhost`, `127.0.0.0/8`, `[::1]`, any port): reached over plain HTTP
 * or without TLS verification with no setting, as Docker does. Others must be listed in `KUMO_REGISTRY_INSECURE`.
 */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[')
    ? registry.slice(0, registry.indexOf(']') + 1)
    : registry.replace(/:\d+$/, '');
  if (host.toLowerCase() === 'localhost' || host === '[::1]') return true;
  const octets = host.split('.');
  return (
    octets.length === 4 && octets[0] === '127' && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255)
  );
}

/** Parses `KUMO_REGISTRY_INSECURE`: a comma list of `host[:port]`. Throws an Error naming the bad entry. */
export function parseInsecureRegistries(value: string): string[] {
  const hosts = value
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const bad = hosts.find((h) => !HOST.test(h));
  if (bad !== undefined) throw new Error(`'${bad}' is not a registry host[:port]`);
  return hosts;
}

/**
 * Parses `KUMO_REGISTRY_AUTH`: a comma list of `host[:port]=user:password` (the password may hold ':' but not
 * ','). Throws an Error naming the bad entry, without its password.
 */
export function parseRegistryAuth(value: string): Record<string, RegistryCredentials> {
  const out: Record<string, RegistryCredentials> = {};
  for (const entry of value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const match = /^([^=]+)=([^:]+):(.*)$/.exec(entry);
    const host = match?.[1]?.trim() ?? entry.split('=')[0] ?? '';
    if (!match || !HOST.test(host) || match[3] === '') {
      throw new Error(`entry for '${host}' must look like host[:port]=user:password`);
    }
    out[host] = { username: match[2] ?? '', password: match[3] ?? '' };
  }
  return out;
}

export function registrySettings(insecure: string, auth: string): RegistrySettings {
  return { insecure: parseInsecureRegistries(insecure), credentials: parseRegistryAuth(auth) };
}
