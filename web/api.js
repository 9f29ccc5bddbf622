const FC = '/2016-08-15';

// The session token lives in this variable only: never in a cookie or in web storage, where a function's page
// on this same origin could reach or use it (docs/console.md). A reload therefore asks to sign in again.
let sessionToken;

export const setSessionToken = (token) => {
  sessionToken = token;
};
export const hasSessionToken = () => sessionToken !== undefined;

/** Every console call says it is one and carries the token (the server reads no cookie). */
function consoleHeaders() {
  return {
    'x-kumo-console': '1',
    ...(sessionToken === undefined ? {} : { 'x-kumo-console-session': sessionToken }),
  };
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Calls a same-origin route with the console headers; JSON in and out. */
export async function request(path, { method = 'GET', body, headers = {} } = {}) {
  const response = await fetch(path, {
    method,
    credentials: 'omit',
    headers: {
      ...consoleHeaders(),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return undefined;
  const text = await response.text();
  const json = text === '' ? undefined : safeJson(text);
  if (!response.ok) {
    const code = json?.ErrorCode ?? `HTTP ${response.status}`;
    // The session ended (expiry, sign-out elsewhere, a restart): back to the sign-in form.
    if (response.status === 403 && /console session/.test(json?.ErrorMessage ?? '')) {
      sessionToken = undefined;
      dispatchEvent(new Event('kumo:signed-out'));
    }
    throw new ApiError(response.status, code, json?.ErrorMessage ?? text);
  }
  return json;
}

/** An FC 2016-08-15 API route, e.g. fc(`/services/${s}/functions`). */
export const fc = (path, options) => request(`${FC}${path}`, options);

/** Invokes synchronously with the log tail; answers what a person wants to see about the call. */
export async function invoke(service, fn, event) {
  const started = performance.now();
  const response = await fetch(`${FC}/services/${enc(service)}/functions/${enc(fn)}/invocations`, {
    method: 'POST',
    credentials: 'omit',
    headers: { ...consoleHeaders(), 'x-fc-log-type': 'Tail', 'x-fc-invocation-type': 'Sync' },
    body: event,
  });
  const body = await response.text();
  const logs = response.headers.get('x-fc-log-result');
  const json = response.ok ? undefined : safeJson(body);
  return {
    status: response.status,
    requestId: response.headers.get('x-fc-request-id') ?? '',
    errorType: response.headers.get('x-fc-error-type') ?? json?.ErrorCode ?? '',
    durationMs: Number(response.headers.get('x-fc-invocation-duration') ?? performance.now() - started),
    maxMemoryMb: response.headers.get('x-fc-max-memory-usage'),
    body,
    logs: logs ? decodeBase64(logs) : '',
  };
}

/** Opens the live log tail (server-sent events over fetch) and calls onLine per line; returns a stop function. */
export function tail(service, fn, { onLine, onEnd }) {
  const controller = new AbortController();
  (async () => {
    let reason = 'stopped';
    try {
      const response = await fetch(`/console/services/${enc(service)}/functions/${enc(fn)}/tail`, {
        credentials: 'omit',
        headers: consoleHeaders(),
        signal: controller.signal,
      });
      if (!response.ok || !response.body) {
        reason = safeJson(await response.text())?.ErrorMessage ?? `HTTP ${response.status}`;
        return;
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const event = parseEvent(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (event?.type === 'end') reason = event.data.reason;
          else if (event) onLine(event.data);
          end = buffer.indexOf('\n\n');
        }
      }
    } catch (error) {
      if (error.name !== 'AbortError') reason = error.message;
    } finally {
      onEnd(reason);
    }
  })();
  return () => controller.abort();
}

function parseEvent(block) {
  let type = 'message';
  let data;
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) type = line.slice(7);
    else if (line.startsWith('data: ')) data = safeJson(line.slice(6));
  }
  return data === undefined ? undefined : { type, data };
}

export const enc = encodeURIComponent;

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function decodeBase64(text) {
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}
