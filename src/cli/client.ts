import { createHash } from 'node:crypto';
import { type Dispatcher, request } from 'undici';
import { canonicalResource, sign } from '../api/index.js';

export interface ClientOptions {
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  accountId: string;
}

export interface ClientResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** A minimal FC 2016-08-15 client that signs like the official SDKs do. */
export class FcClient {
  constructor(readonly options: ClientOptions) {}

  async send(
    method: string,
    path: string,
    body?: Buffer | string | object,
    extraHeaders: Record<string, string> = {},
  ): Promise<ClientResponse> {
    const fullPath = `/2016-08-15${path}`;
    let payload: Buffer | undefined;
    const headers: Record<string, string> = {
      accept: 'application/json',
      date: new Date().toUTCString(),
      'x-fc-account-id': this.options.accountId,
      ...extraHeaders,
    };
    if (body !== undefined) {
      const isRaw = Buffer.isBuffer(body) || typeof body === 'string';
      payload = isRaw ? Buffer.from(body) : Buffer.from(JSON.stringify(body));
      headers['content-type'] ??= isRaw ? 'application/octet-stream' : 'application/json';
      headers['content-md5'] = Buffer.from(createHash('md5').update(payload).digest('hex')).toString(
        'base64',
      );
    }
    const [pathOnly = '', query] = fullPath.split('?', 2);
    const resource = canonicalResource(
      pathOnly,
      new URLSearchParams(query ?? ''),
      pathOnly.includes('/proxy/'),
    );
    headers.authorization = `FC ${this.options.accessKeyId}:${sign(this.options.accessKeySecret, method, headers, resource)}`;
    const response = await request(`${this.options.endpoint}${fullPath}`, {
      method: method as 'GET',
      headers,
      body: payload,
    }).catch((error: unknown) => {
      throw unreachable(error, this.options.endpoint) ?? error;
    });
    return readResponse(response);
  }

  /** Like `send`, but throws `FcClientError` with FC's error code on a non-2xx answer. */
  async json<T>(method: string, path: string, body?: object): Promise<T> {
    const response = await this.send(method, path, body);
    if (response.status >= 300) throw FcClientError.from(response);
    return (response.body.length ? JSON.parse(response.body.toString()) : {}) as T;
  }
}

export class FcClientError extends Error {
  /** `Code (HTTP status): detail`; `detail` is the server's ErrorMessage alone. */
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail: string = message,
  ) {
    super(message);
    this.name = `FcClientError [${code}]`;
  }

  static from(response: ClientResponse): FcClientError {
    let code = 'Unknown';
    let message = response.body.toString();
    try {
      const parsed = JSON.parse(message) as { ErrorCode?: string; ErrorMessage?: string };
      code = parsed.ErrorCode ?? code;
      message = parsed.ErrorMessage ?? message;
    } catch {
      // plain text error body
    }
    return new FcClientError(response.status, code, `${code} (HTTP ${response.status}): ${message}`, message);
  }
}

/** The server cannot be reached at all (not running, wrong host or port). */
export class ServerUnreachableError extends Error {
  override name = 'ServerUnreachableError';
  constructor(
    readonly endpoint: string,
    readonly reason: string,
  ) {
    super(
      reason === 'ECONNREFUSED'
        ? `the Kumo server at ${endpoint} is not running (connection refused)`
        : `cannot reach a Kumo server at ${endpoint} (${reason})`,
    );
  }
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);

export function unreachable(error: unknown, endpoint: string): ServerUnreachableError | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && UNREACHABLE.has(code)
    ? new ServerUnreachableError(endpoint, code)
    : undefined;
}

export const clientFor = (
  endpoint: string,
  credentials: { accessKeyId: string; accessKeySecret: string; accountId: string },
): FcClient => new FcClient({ endpoint, ...credentials });

/** A whole answer read into memory, its headers flattened (repeated ones joined). */
export async function readResponse(response: Dispatcher.ResponseData): Promise<ClientResponse> {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(response.headers))
    if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
  return {
    status: response.statusCode,
    headers: flat,
    body: Buffer.from(await response.body.arrayBuffer()),
  };
}
