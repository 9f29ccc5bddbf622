import type { HttpInvokeResult } from './http.js';
import type { Outcome } from './outcome.js';

/** Hop-by-hop request headers (and `expect`, which only the platform answers): never passed to a function. */
export const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'upgrade',
  'te',
  'trailer',
  'transfer-encoding',
  'expect',
] as const;

/** An HTTP-triggered call whose function failed: FC's 502 `{errorMessage}`, raw HTTP and FC 3.0's event alike. */
export function failedHttpAnswer(headers: Record<string, string>, outcome: Outcome): HttpInvokeResult {
  const errorMessage = outcome.ok
    ? 'unknown error'
    : String(outcome.error.errorMessage ?? 'the function failed');
  return {
    status: 502,
    headers: { ...headers, 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ errorMessage })),
  };
}
