import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { LIMITS } from '../model/index.js';
import type { Instance } from '../scheduler/index.js';

/** What came back from one HTTP exchange with an instance. */
export type CallResult =
  | { kind: 'response'; status: number; headers: Record<string, string>; body: Buffer }
  | { kind: 'timeout' }
  | { kind: 'broken'; error: Error }
  /** The body passed `limit` bytes: reading stopped there and the connection was dropped. */
  | { kind: 'tooLarge'; limit: number }
  /** The caller's signal stopped the call (a stopped async invocation): the connection was dropped. */
  | { kind: 'stopped' };

class CallTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

class CallStopped extends Error {
  constructor() {
    super('the invocation was stopped');
  }
}

class ResponseTooLarge extends Error {
  constructor(limit: number) {
    super(`the response is larger than ${limit} bytes`);
  }
}

/**
 * Sends one request to an instance, bounded by `timeoutMs` (headers and body) and by `maxBodyBytes` (FC's sync
 * response limit): a larger answer is not read past the limit. Never throws. Uses undici's dispatch handler
 * directly: the whole answer is wanted as one Buffer, so no body stream or AbortSignal per call.
 */
export function callInstance(
  instance: Instance,
  request: {
    method: string;
    path: string;
    headers: Record<string, string>;
    body: Buffer | null;
    /** Aborting it stops the call at once (the instance is then retired by the caller). */
    signal?: AbortSignal;
  },
  timeoutMs: number,
  maxBodyBytes: number = LIMITS.syncResponseBytesMax,
): Promise<CallResult> {
  return new Promise((resolve) => {
    let settled = false;
    let controller: Dispatcher.DispatchController | undefined;
    let status = 0;
    let headers: Record<string, string> = {};
    const chunks: Buffer[] = [];
    let received = 0;
    const settle = (result: CallResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', stop);
      if (result.kind !== 'response') return resolve(result);
      // Let the instance's stdout/stderr written before it answered reach the log capture first: two turns of
      // the event loop, so a poll phase runs in between.
      setImmediate(() => setImmediate(() => resolve(result)));
    };
    const tooLarge = () => {
      chunks.length = 0;
      settle({ kind: 'tooLarge', limit: maxBodyBytes }); // first, as for a timeout
      controller?.abort(new ResponseTooLarge(maxBodyBytes));
    };
    const timer = setTimeout(() => {
      settle({ kind: 'timeout' }); // first: aborting reports an error synchronously
      controller?.abort(new CallTimeout(timeoutMs));
    }, timeoutMs);
    const stop = () => {
      settle({ kind: 'stopped' });
      controller?.abort(new CallStopped());
    };
    if (request.signal?.aborted) return stop();
    request.signal?.addEventListener('abort', stop, { once: true });
    instance.dispatcher.dispatch(
      { method: request.method, path: request.path, headers: request.headers, body: request.body },
      {
        onRequestStart(started) {
          controller = started;
          if (settled)
            started.abort(request.signal?.aborted ? new CallStopped() : new CallTimeout(timeoutMs));
        },
        onResponseStart(_, statusCode, responseHeaders) {
          status = statusCode;
          headers = flatten(responseHeaders);
          if (Number(headers['content-length']) > maxBodyBytes) tooLarge();
        },
        onResponseData(_, chunk) {
          received += chunk.length;
          if (received > maxBodyBytes) return tooLarge();
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

/**
 * Reads a body stream whole unless it passes `maxBytes`: then stops reading, destroys the stream and resolves
 * undefined. For bodies Kumo must hold (an HTTP function's error answer), never more than the limit.
 */
export async function readCapped(body: Readable, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        body.destroy();
        return undefined;
      }
      chunks.push(chunk as Buffer);
    }
  } catch {
    return Buffer.concat(chunks); // the instance hung up mid-body: what came is the answer
  }
  return Buffer.concat(chunks);
}
