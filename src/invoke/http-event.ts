import type { FunctionRecord, Service } from '../model/index.js';
import { fcVersionOf } from '../model/index.js';
import { buildHttpEvent } from './fc3-http-event.js';
import { type MappedHttpResult, mapHttpEventResult } from './fc3-http-result.js';
import type { HttpInvokeRequest, HttpInvokeResult } from './http.js';
import { failedHttpAnswer } from './http-common.js';
import { callInstance } from './instance-call.js';
import type { Invoker } from './invoker.js';
import { toOutcome, unhandled } from './outcome.js';

/**
 * FC 3.0 calls a built-in runtime's *event* handler behind an HTTP trigger (custom runtimes and containers keep
 * FC 2.0's raw HTTP): true for a function created through FC 3.0 whose runtime is not a custom one.
 */
export function servesHttpAsEvent(service: Service, fn: FunctionRecord): boolean {
  return fcVersionOf(service) === 'v3' && !fn.runtime.startsWith('custom');
}

/** The HTTP request becomes FC 3.0's HTTP event on `POST /invoke`; the handler's result becomes the answer. */
export function invokeHttpEvent(invoker: Invoker, request: HttpInvokeRequest): Promise<HttpInvokeResult> {
  let answer: MappedHttpResult | undefined;
  return invoker.calls.run<HttpInvokeResult>(request, {
    async send(call) {
      const event = buildHttpEvent({
        method: request.method,
        url: request.url,
        rawHeaders: request.rawHeaders ?? flattenHeaders(request.headers),
        body: request.body,
        clientIp: request.clientIp,
        httpVersion: request.httpVersion ?? '1.1',
        requestId: request.requestId,
        accountId: call.ctx.accountId,
      });
      const result = await callInstance(
        call.instance,
        {
          method: 'POST',
          path: '/invoke',
          headers: call.instanceHeaders('/invoke'),
          body: Buffer.from(JSON.stringify(event)),
        },
        call.ctx.fn.timeout * 1000,
      );
      const outcome = await toOutcome(result, call.outcomeContext());
      if (!outcome.ok) return { outcome };
      answer = mapHttpEventResult(outcome.body);
      if (answer.ok) return { outcome };
      // A result HTTP cannot carry is the function's error: logged in its call, answered 502 like one.
      call.instance.logs.write(call.ctx.requestId, answer.errorMessage);
      return { outcome: unhandled(answer.errorMessage, false) };
    },
    answer(call, outcome) {
      const headers = call.responseHeaders();
      if (outcome.ok && answer?.ok)
        return { status: answer.status, headers: { ...headers, ...answer.headers }, body: answer.body };
      // As on FC 2.0's raw HTTP path: a failed function is a 502 `{errorMessage}`.
      return failedHttpAnswer(headers, outcome);
    },
  });
}

function flattenHeaders(headers: HttpInvokeRequest['headers']): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push(name, v);
  }
  return out;
}
