import type { FunctionRecord } from '../model/index.js';
import type { Instance } from '../scheduler/index.js';
import { toMb } from './billing.js';
import type { CallResult } from './instance-call.js';

export type ErrorType = 'HandledInvocationError' | 'UnhandledInvocationError';

/** What cut an unhandled call short, when the platform knows it (metrics, the instance's stop reason). */
export type FailureCause = 'timeout' | 'crashed' | 'oom' | 'stopped' | 'too_large';

/** How a call ended, as the caller will see it. */
export type Failure = {
  ok: false;
  errorType: ErrorType;
  error: Record<string, unknown>;
  destroyInstance: boolean;
  cause?: FailureCause;
};
export type Outcome = { ok: true; status: number; headers: Record<string, string>; body: Buffer } | Failure;

const EXIT_GRACE_MS = 500;

/**
 * Classifies an instance's answer: 404 with `x-fc-status: 404` (custom-runtime convention), 417 (handled error of
 * FC's classic agents), 5xx, or an `x-fc-error-type` header mean a function error; a timeout or a dropped
 * connection is an unhandled error that retires the instance; an answer over the size limit is an unhandled error.
 */
export async function toOutcome(
  result: CallResult,
  context: {
    fn: FunctionRecord;
    instance: Instance;
    startedAt: number;
    timeoutSeconds: number;
    what: string;
  },
): Promise<Outcome> {
  const { instance, fn } = context;
  if (result.kind === 'timeout') {
    const mb = toMb(instance.handle.peakMemoryBytes());
    return unhandled(
      `${context.what} timed out after ${context.timeoutSeconds} seconds (maxMemoryUsage: ${mb}MB)`,
      true,
      'timeout',
    );
  }
  if (result.kind === 'stopped') {
    // The instance may still be running the handler: it is retired, so the stopped call really stops.
    return unhandled(`${context.what} invocation was stopped`, true, 'stopped');
  }
  if (result.kind === 'broken') {
    await Promise.race([
      instance.handle.exited,
      new Promise((resolve) => setTimeout(resolve, EXIT_GRACE_MS)),
    ]);
    const duration = Math.round(performance.now() - context.startedAt);
    const mb = toMb(instance.handle.peakMemoryBytes());
    let message = `Process exited unexpectedly before completing request (duration: ${duration}ms, maxMemoryUsage: ${mb}MB)`;
    if (instance.exit?.oomKilled) {
      message += `: the instance exceeded its memory limit of ${fn.memorySize} MB and was killed`;
    } else if (!instance.exit) {
      message += `: ${result.error.message}`;
    }
    return unhandled(message, true, instance.exit?.oomKilled ? 'oom' : 'crashed');
  }
  if (result.kind === 'tooLarge') {
    // The function's fault, not the platform's: FC answers an oversized response as an unhandled function error.
    // The instance stays: only the connection that carried the answer was dropped.
    return unhandled(
      `${context.what} response size exceeds maximum allowed size (${result.limit} bytes); the response was dropped`,
      false,
      'too_large',
    );
  }
  const declared = result.headers['x-fc-error-type'];
  const isError =
    (result.status === 404 && result.headers['x-fc-status'] === '404') ||
    result.status === 417 ||
    result.status >= 500 ||
    declared === 'HandledInvocationError' ||
    declared === 'UnhandledInvocationError';
  if (!isError) return { ok: true, status: result.status, headers: result.headers, body: result.body };
  const errorType: ErrorType =
    declared === 'HandledInvocationError' || (result.status === 417 && !declared)
      ? 'HandledInvocationError'
      : 'UnhandledInvocationError';
  return { ok: false, errorType, error: errorBody(result.body, result.status), destroyInstance: false };
}

export function unhandled(errorMessage: string, destroyInstance: boolean, cause?: FailureCause): Failure {
  const failure: Failure = {
    ok: false,
    errorType: 'UnhandledInvocationError',
    error: { errorMessage },
    destroyInstance,
  };
  if (cause) failure.cause = cause;
  return failure;
}

function errorBody(body: Buffer, status: number): Record<string, unknown> {
  const text = body.toString();
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && 'errorMessage' in parsed)
      return parsed as Record<string, unknown>;
  } catch {
    // not JSON: the text itself is the message
  }
  return { errorMessage: text || `the function's server answered HTTP ${status}` };
}
