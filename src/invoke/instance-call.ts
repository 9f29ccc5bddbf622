import { setImmediate as nextTick } from 'node:timers/promises';
import type { Instance } from '../scheduler/index.js';

/** What came back from one HTTP exchange with an instance. */
export type CallResult =
  | { kind: 'response'; status: number; headers: Record<string, string>; body: Buffer }
  | { kind: 'timeout' }
  | { kind: 'broken'; error: Error };

/** Sends one request to an instance, bounded by `timeoutMs` (headers and body). Never throws. */
export async function callInstance(
  instance: Instance,
  request: { method: string; path: string; headers: Record<string, string>; body: Buffer | null },
  timeoutMs: number,
): Promise<CallResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await instance.dispatcher.request({
      method: request.method as 'POST',
      path: request.path,
      headers: request.headers,
      body: request.body,
      signal: controller.signal,
    });
    const body = Buffer.from(await response.body.arrayBuffer());
    // Let the instance's stdout/stderr written before it answered reach the log capture first.
    await nextTick();
    await nextTick();
    return { kind: 'response', status: response.statusCode, headers: flatten(response.headers), body };
  } catch (error) {
    if (controller.signal.aborted) return { kind: 'timeout' };
    return { kind: 'broken', error: error as Error };
  } finally {
    clearTimeout(timer);
  }
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
