import type { RequestLog } from '../logs/index.js';
import type { Instance, Lease } from '../scheduler/index.js';
import { toMb } from './billing.js';
import { type CallContext, perCallFcHeaders } from './context.js';
import type { Outcome } from './outcome.js';

/** One call in progress on one instance, from its slot to its billing line. */
export class Call {
  readonly startedAt = performance.now();
  /** Set when the call ends. */
  durationMs = 0;
  /** Set when the call ends. */
  peakBytes = 0;
  /** `peakBytes` was read when the whole answer was in (an HTTP answer read whole): not read again at the end. */
  peakFinal = false;

  constructor(
    readonly lease: Lease,
    readonly ctx: CallContext,
    readonly log: RequestLog,
    readonly staticHeaders: Record<string, string>,
  ) {}

  get instance(): Instance {
    return this.lease.instance;
  }

  /** The `X-Fc-*` headers of a request to the instance on `controlPath` (`/invoke`, `/http-invoke` …). */
  instanceHeaders(controlPath: string): Record<string, string> {
    const headers = perCallFcHeaders(this.staticHeaders, this.ctx, controlPath);
    if (controlPath !== '/http-invoke') headers['Content-Type'] = 'application/octet-stream';
    return headers;
  }

  /** Headers every caller gets back, whatever the outcome. */
  responseHeaders(): Record<string, string> {
    return {
      'x-fc-invocation-duration': String(Math.ceil(this.durationMs)),
      'x-fc-max-memory-usage': toMb(this.peakBytes),
      'x-fc-code-checksum': this.ctx.fn.code?.codeChecksum ?? '',
      'x-fc-instance-id': this.instance.id,
      'x-fc-invocation-service-version': this.ctx.versionId ?? 'LATEST',
    };
  }

  /** What `toOutcome` needs to classify this call's answer. */
  outcomeContext() {
    const { fn } = this.ctx;
    return {
      fn,
      instance: this.instance,
      startedAt: this.startedAt,
      timeoutSeconds: fn.timeout,
      what: 'Function',
    };
  }
}

/**
 * What the instance answered. A buffered answer has its outcome; a streamed one gives the caller its `reply`
 * (status, headers, body stream) at once and its `outcome` once the body has been sent (or failed).
 */
export type Sent<T> = { outcome: Outcome } | { reply: T; outcome: Promise<Outcome> };

/** How one kind of call talks to its instance; the call lifecycle does everything around it. */
export interface Exchange<T> {
  /** Sends the call to the initialized instance and classifies the answer. */
  send(call: Call): Promise<Sent<T>>;
  /** The caller's answer once the call ended with `outcome` (also when the initializer failed). */
  answer(call: Call, outcome: Outcome): T;
}
