import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { canonicalResource, sign } from '../../src/api/index.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, ACCOUNT_ID } from '../helpers/server.js';

export interface Key {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export const ROOT_KEY: Key = { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET };

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The FC error code, when the body is FC's error JSON. */
  errorCode?: string;
}

/**
 * Sends one request over a fresh socket with the request target written exactly as given (no client
 * normalises or encodes it), as an attacker would, and reads the answer until the server closes.
 */
export function rawRequest(
  port: number,
  request: { method: string; target: string; headers?: Record<string, string>; body?: Buffer | string },
): Promise<RawResponse> {
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const headers: Record<string, string> = {
    host: '127.0.0.1',
    connection: 'close',
    ...(body ? { 'content-length': String(body.length) } : {}),
    ...request.headers,
  };
  const head = `${request.method} ${request.target} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      try {
        resolve(parseResponse(Buffer.concat(chunks).toString('latin1')));
      } catch (error) {
        reject(error);
      }
    });
    socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body ?? Buffer.alloc(0)]));
  });
}

export function parseResponse(text: string): RawResponse {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) throw new Error(`no HTTP response, got ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = text.slice(split + 4);
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
  let errorCode: string | undefined;
  try {
    errorCode = (JSON.parse(body) as { ErrorCode?: string }).ErrorCode;
  } catch {
    // not JSON
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body, errorCode };
}

function dechunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/** FC's SDK md5 quirk: base64 of the hex digest. */
export const sdkMd5 = (body: Buffer | string): string =>
  Buffer.from(createHash('md5').update(body).digest('hex')).toString('base64');

/**
 * Headers of a request signed by `key` over `signedPath` (which the attacker chooses freely: the raw
 * target, its decoded form, or anything else).
 */
export function signedHeaders(
  key: Key,
  method: string,
  signedPath: string,
  options: { date?: Date; body?: Buffer | string; contentMd5?: string; extra?: Record<string, string> } = {},
): Record<string, string> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    date: (options.date ?? new Date()).toUTCString(),
    'x-fc-account-id': ACCOUNT_ID,
    ...(key.securityToken ? { 'x-fc-security-token': key.securityToken } : {}),
    ...options.extra,
  };
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-md5'] = options.contentMd5 ?? sdkMd5(options.body);
  }
  const [path = '', query = ''] = signedPath.split('?', 2);
  const resource = canonicalResource(path, new URLSearchParams(query), path.includes('/proxy/'));
  headers.authorization = `FC ${key.accessKeyId}:${sign(key.accessKeySecret, method, headers, resource)}`;
  return headers;
}

export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
