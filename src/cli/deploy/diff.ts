import { type FcClient, FcClientError } from '../client.js';

/** The resource at `path`, or undefined when the server says 404. */
export async function get(client: FcClient, path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return await client.json<Record<string, unknown>>('GET', path);
  } catch (error) {
    if (error instanceof FcClientError && error.status === 404) return undefined;
    throw error;
  }
}

/** The top-level fields of `desired` that differ from `current` (fields the template omits are ignored). */
export function differing(desired: unknown, current: unknown): string[] {
  if (desired && typeof desired === 'object' && !Array.isArray(desired)) {
    const now = (current && typeof current === 'object' ? current : {}) as Record<string, unknown>;
    return Object.entries(desired)
      .filter(([k, v]) => !matches(v, now[k]))
      .map(([k]) => k);
  }
  return matches(desired, current) ? [] : ['value'];
}

/** True when every field of `desired` equals the same field of `current`, at every depth. */
function matches(desired: unknown, current: unknown): boolean {
  if (desired === undefined) return true;
  if (Array.isArray(desired)) {
    return (
      Array.isArray(current) &&
      desired.length === current.length &&
      desired.every((d, i) => matches(d, current[i]))
    );
  }
  if (desired && typeof desired === 'object') {
    if (!current || typeof current !== 'object') return false;
    return Object.entries(desired).every(([k, v]) => matches(v, (current as Record<string, unknown>)[k]));
  }
  return desired === current;
}
