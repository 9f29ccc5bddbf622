import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { LIMITS } from '../model/index.js';
import { canonicalName } from '../scheduler/index.js';
import type { Call, Sent } from './call.js';
import { CallDeadline } from './deadline.js';
import { failedHttpAnswer, HOP_BY_HOP } from './http-common.js';
import { invokeHttpEvent, servesHttpAsEvent } from './http-event.js';
import { type CallResult, readCapped } from './instance-call.js';
import type { CallRequest, Invoker } from './invoker.js';
import { type Outcome, toOutcome } from './outcome.js';

export interface HttpInvokeRequest extends CallRequest {
  method: string;
  /** Path and query as the function sees them (`/users?id=1`). */
  url: string;
  headers: IncomingHttpHeaders;
  /** The whole request body (the gateway reads it, bounded, before a call starts). */
  body: Buffer | null;
  clientIp: string;
  /** The prefix the gateway stripped (`/2016-08-15/proxy/svc/fn`), for apps that need it. */
  basePath: string;
  /** The client's headers as they came (Node's `rawHeaders`), for FC 3.0's HTTP event; else `headers`. */
  rawHeaders?: string[];
  /** The client's HTTP version (`1.1`), for FC 3.0's HTTP event. */
  httpVersion?: string;
}

export interface HttpInvokeResult {
  status: number;
  headers: Record<string, string | string[]>;
  body: Readable | Buffer;
}

/** Request headers a caller may not pass to a function (hop-by-hop, or Kumo's own `x-fc-*`). */
const DROPPED_REQUEST = new Set<string>([
  ...HOP_BY_HOP,
  // The gateway read the whole body itself (and answered any `100-continue`): the instance gets it with its length.
  'content-length',
]);
/** An answer up to this size, with its length declared, is read whole before it is sent on. */
const SMALL_RESPONSE_BYTES = 64 * 1024;

/**
 * Whether an answer can be read whole and sent as one Buffer with nothing visible changed: its length is declared
 * and small, it has a body (not HEAD, 204, 304, 1xx), and it names its type (else a Buffer would get
 * `application/octet-stream` where a piped body gets none).
 */
function isSmallAndWhole(method: string, status: number, headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return (
    length !== undefined &&
    Number(length) <= SMALL_RESPONSE_BYTES &&
    headers['content-type'] !== undefined &&
    method !== 'HEAD' &&
    status >= 200 &&
    status !== 204 &&
    status !== 304
  );
}

/** Response headers the platform owns. */
const DROPPED_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date', 'server']);

/**
 * An HTTP-triggered call: the raw request goes to the instance (with `X-Fc-Control-Path: /http-invoke`) and the
 * function's status, headers and body stream back unchanged. A function that fails answers 502 `{errorMessage}`.
 * A built-in runtime's function created through FC 3.0 gets FC 3.0's HTTP event instead (http-event.ts).
 */
export function invokeHttp(invoker: Invoker, request: HttpInvokeRequest): Promise<HttpInvokeResult> {
  if (servesHttpAsEvent(request.service, request.fn)) return invokeHttpEvent(invoker, request);
  return invoker.calls.run(request, {
    send: (call) => sendHttp(call, request),
    answer: (call, outcome) => failedHttpAnswer(call.responseHeaders(), outcome),
  });
}

async function sendHttp(call: Call, request: HttpInvokeRequest): Promise<Sent<HttpInvokeResult>> {
  const { instance } = call;
  const deadline = new CallDeadline(call.ctx.fn.timeout * 1000);
  const outcomeOf = (result: CallResult) => toOutcome(result, call.outcomeContext());
  // A transfer that failed: the call's time ran out, or the instance broke the exchange.
  const failure = (error: Error) =>
    outcomeOf(deadline.aborted ? { kind: 'timeout' } : { kind: 'broken', error });

  // The client's headers under Go's canonical names, as FC's Go front end passes them on (docs/environment.md).
  const headers: Record<string, string | string[]> = {};
  for (const name in request.headers) {
    const value = request.headers[name];
    const lower = name.toLowerCase();
    if (value === undefined || DROPPED_REQUEST.has(lower) || lower.startsWith('x-fc-')) continue;
    headers[canonicalName(name)] = value;
  }
  Object.assign(headers, call.instanceHeaders('/http-invoke'), {
    'X-Fc-Base-Path': request.basePath,
    'X-Fc-Client-Ip': request.clientIp,
  });

  let response: Awaited<ReturnType<typeof instance.dispatcher.request>>;
  try {
    response = await instance.dispatcher.request({
      method: request.method as 'GET',
      path: request.url,
      headers,
      body: request.body,
      // An EventEmitter-like signal, which undici accepts (deadline.ts).
      signal: deadline as unknown as AbortSignal,
    });
  } catch (error) {
    const outcome = await failure(error as Error);
    deadline.clear();
    return { outcome };
  }

  const declared = response.headers['x-fc-error-type'];
  if (declared || (response.statusCode === 404 && response.headers['x-fc-status'] === '404')) {
    const body =
      (await readCapped(response.body, LIMITS.syncResponseBytesMax)) ??
      Buffer.from(`the function's error answer exceeds ${LIMITS.syncResponseBytesMax} bytes`);
    const outcome = await outcomeOf({
      kind: 'response',
      status: 500,
      headers: { 'x-fc-error-type': String(declared ?? 'UnhandledInvocationError') },
      body,
    });
    deadline.clear();
    return { outcome };
  }

  // The answer's headers go out now, before its body: duration and memory are measured up to this point.
  call.durationMs = performance.now() - call.startedAt;
  call.peakBytes = instance.handle.peakMemoryBytes();
  const out: Record<string, string | string[]> = call.responseHeaders(); // a fresh object
  for (const name in response.headers) {
    const value = response.headers[name];
    if (value === undefined || DROPPED_RESPONSE.has(name) || name.startsWith('x-fc-')) continue;
    out[name] = value;
  }
  const ok: Outcome = { ok: true, status: response.statusCode, headers: {}, body: Buffer.alloc(0) };
  if (isSmallAndWhole(request.method, response.statusCode, response.headers)) {
    // Read whole, the answer goes out in one write instead of being piped chunk by chunk.
    let body: Buffer;
    try {
      body = Buffer.from(await response.body.arrayBuffer());
    } catch (error) {
      const outcome = await failure(error as Error);
      deadline.clear();
      return { outcome };
    }
    deadline.clear();
    call.peakFinal = true;
    return { reply: { status: response.statusCode, headers: out, body }, outcome: Promise.resolve(ok) };
  }
  const outcome = new Promise<Outcome>((resolve) => {
    let failed = false;
    response.body.once('error', (error: Error & { code?: string }) => {
      failed = true;
      if (!deadline.aborted && (error.name === 'AbortError' || error.code === 'UND_ERR_ABORTED')) {
        // The client hung up and the gateway dropped the body: the function did nothing wrong, keep its instance.
        resolve(ok);
        return;
      }
      void failure(error).then(resolve);
    });
    // 'close' without an error: the body was read to the end, or the client went away (not the function's fault).
    response.body.once('close', () => {
      if (!failed) resolve(ok);
    });
  }).finally(() => deadline.clear());
  return { reply: { status: response.statusCode, headers: out, body: response.body }, outcome };
}
