/** The HTTP answer made from what an FC 3.0 event handler returned behind an HTTP trigger. */
export type MappedHttpResult =
  | { ok: true; status: number; headers: Record<string, string | string[]>; body: Buffer }
  /** The handler returned `{statusCode}` FC cannot answer with (a 502 for the client, its message in the log). */
  | { ok: false; errorMessage: string };

/** Response headers the platform owns (as on FC 2.0's raw HTTP path), and the framing it computes itself. */
const DROPPED = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'date',
  'server',
  'upgrade',
  'trailer',
]);

const utf8 = new TextDecoder('utf-8', { fatal: true });

function textOf(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function isSendable(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f || code > 0xff) return false;
  }
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Maps a handler's result (FC 3.0, docs: http-trigger-invoking-function): a JSON object with `statusCode` is the
 * answer's `{statusCode, headers, body, isBase64Encoded}`; anything else is the body of a 200 (`application/json`
 * when it is JSON, `text/plain` when it is other UTF-8 text, `application/octet-stream` otherwise).
 */
export function mapHttpEventResult(result: Buffer): MappedHttpResult {
  const text = textOf(result);
  let parsed: unknown;
  if (text !== undefined) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (isRecord(parsed) && 'statusCode' in parsed) return structured(parsed);
  const contentType =
    parsed !== undefined
      ? 'application/json'
      : text !== undefined
        ? 'text/plain; charset=utf-8'
        : 'application/octet-stream';
  return { ok: true, status: 200, headers: { 'content-type': contentType }, body: result };
}

function structured(answer: Record<string, unknown>): MappedHttpResult {
  const status = Number(answer.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599 || typeof answer.statusCode === 'boolean') {
    return {
      ok: false,
      errorMessage: `the function returned statusCode ${JSON.stringify(answer.statusCode)}: it must be an integer from 100 to 599`,
    };
  }
  const headers: Record<string, string | string[]> = {};
  if (answer.headers !== undefined && answer.headers !== null) {
    if (!isRecord(answer.headers))
      return { ok: false, errorMessage: 'the function returned headers that are not an object' };
    for (const [name, value] of Object.entries(answer.headers)) {
      const lower = name.toLowerCase();
      if (DROPPED.has(lower) || lower.startsWith('x-fc-') || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
        continue;
      const values = (Array.isArray(value) ? value : [value]).filter((v) => v !== null && v !== undefined);
      // A value HTTP cannot carry (a line break, a control or non-Latin-1 character): dropped, not the answer.
      const clean = values.map(String).filter(isSendable);
      if (clean.length === 1) headers[lower] = clean[0] as string;
      else if (clean.length > 1) headers[lower] = clean;
    }
  }
  let body: Buffer;
  const raw = answer.body;
  if (raw === undefined || raw === null) body = Buffer.alloc(0);
  else if (typeof raw === 'string')
    body = answer.isBase64Encoded === true ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  else body = Buffer.from(JSON.stringify(raw), 'utf8');
  return { ok: true, status, headers, body };
}
