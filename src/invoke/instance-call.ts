import type { Dispatcher } from 'undici';
import type { Instance } from '../scheduler/index.js';

/** What came back from one HTTP exchange with an instance. */
export type CallResult =
  | { kind: 'response'; status: number; headers: Record<string, string>; body: Buffer }
  | { kind: 'timeout' }
  | { kind: 'broken'; error: Error };

class CallTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/**
 * Sends one request to an instance, bounded by `timeoutMs` (headers and body). Never throws. Uses undici's
 * dispatch handler directly: the whole answer is wanted as one Buffer, so no body stream or AbortSignal per call.
 */
export function callInstance(
  instance: Instance,
  request: { method: string; path: string; headers: Record<string, string>; body: Buffer | null },
  timeoutMs: number,
): Promise<CallResult> {
  return new Promise((resolve) => {
    let settled = false;
    let controller: Dispatcher.DispatchController | undefined;
    let status = 0;
    let headers: Record<string, string> = {};
    const chunks: Buffer[] = [];
    const settle = (result: CallResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (result.kind !== 'response') return resolve(result);
      // Let the instance's stdout/stderr written before it answered reach the log capture first: two turns of
      // the event loop, so a poll phase runs in between.
      setImmediate(() => setImmediate(() => resolve(result)));
    };
    const timer = setTimeout(() => {
      settle({ kind: 'timeout' }); // first: aborting reports an error synchronously
      controller?.abort(new CallTimeout(timeoutMs));
    }, timeoutMs);
    instance.dispatcher.dispatch(
      { method: request.method, path: request.path, headers: request.headers, body: request.body },
      {
        onRequestStart(started) {
          controller = started;
          if (settled) started.abort(new CallTimeout(timeoutMs));
        },
        onResponseStart(_, statusCode, responseHeaders) {
          status = statusCode;
          headers = flatten(responseHeaders);
        },
        onResponseData(_, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          settle({ kind: 'response', status, headers, body: Buffer.concat(chunks) });
        },
        onResponseError(_, error) {
          settle({ kind: 'broken', error });
        },
      },
    );
  });
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
