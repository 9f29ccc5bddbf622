import { request } from 'undici';
import { signAcs3Request } from '../api/acs3/index.js';
import {
  type ClientOptions,
  type ClientResponse,
  FcClientError,
  readResponse,
  unreachable,
} from './client.js';

/** A minimal FC 2023-03-30 client that signs with ACS3-HMAC-SHA256 as the official FC 3.0 SDK does. */
export class Fc3Client {
  constructor(readonly options: ClientOptions) {}

  async send(method: string, path: string, body?: object): Promise<ClientResponse> {
    const url = new URL(`${this.options.endpoint}/2023-03-30${path}`);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const query = Object.fromEntries(url.searchParams);
    const headers = signAcs3Request({
      method,
      path: url.pathname,
      query,
      headers: {
        host: url.host,
        accept: 'application/json',
        ...(payload && { 'content-type': 'application/json' }),
      },
      body: payload,
      accessKeyId: this.options.accessKeyId,
      accessKeySecret: this.options.accessKeySecret,
    });
    const response = await request(url, { method: method as 'GET', headers, body: payload }).catch(
      (error: unknown) => {
        throw unreachable(error, this.options.endpoint) ?? error;
      },
    );
    return readResponse(response);
  }

  /** Like `send`, but throws `FcClientError` with FC 3.0's error code on a non-2xx answer. */
  async json<T>(method: string, path: string, body?: object): Promise<T> {
    const response = await this.send(method, path, body);
    if (response.status >= 300) throw fc3Error(response);
    return (response.body.length ? JSON.parse(response.body.toString()) : {}) as T;
  }
}

/** FC 3.0's error body is `{Code, Message, RequestId}`. */
function fc3Error(response: ClientResponse): FcClientError {
  let code = 'Unknown';
  let message = response.body.toString();
  try {
    const parsed = JSON.parse(message) as { Code?: string; Message?: string };
    code = parsed.Code ?? code;
    message = parsed.Message ?? message;
  } catch {
    // plain text error body
  }
  return new FcClientError(response.status, code, `${code} (HTTP ${response.status}): ${message}`);
}
