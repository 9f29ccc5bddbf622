import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { FcError } from '../model/index.js';

/** Maps anything thrown while serving a request to the FC error the caller sees. */
export function toFcError(error: FastifyError | FcError): FcError {
  if (error instanceof FcError) return error;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new FcError('EntityTooLarge', `the request body is larger than the limit: ${error.message}`);
    case 'FST_ERR_BAD_URL':
      return new FcError('InvalidArgument', `the path is not a valid URL: ${error.message}`);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new FcError('URITooLong', 'a part of the path is longer than the server accepts');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new FcError('InvalidArgument', error.message);
    default:
      if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
        return new FcError('InvalidArgument', error.message);
      }
      return new FcError('InternalServerError', 'internal error; see the Kumo server log', { cause: error });
  }
}

/** Fastify's `frameworkErrors`: router errors (bad percent-encoding, over-long parameters) in FC's shape. */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const fcError = toFcError(error);
  return reply
    .status(fcError.status)
    .header('x-fc-request-id', request.id)
    .type('application/json')
    .send(fcError.toBody(request.id));
}

/**
 * Node's `clientError`: what the HTTP parser refuses before there is a request (headers too large, a
 * header or body timeout, malformed HTTP). Answered on the raw socket in FC's shape, then closed.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const fcError = clientErrorToFc(error);
  // Node's own rule: no answer once a response has started on this socket.
  const pending = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !pending?.headersSent) {
    const requestId = randomUUID();
    const body = JSON.stringify(fcError.toBody(requestId));
    socket.write(
      `HTTP/1.1 ${fcError.status} ${STATUS_TEXT[fcError.status] ?? 'Error'}\r\n` +
        'Content-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `x-fc-request-id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroySoon();
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
};

function clientErrorToFc(error: NodeJS.ErrnoException): FcError {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new FcError('RequestTimeout', 'the request headers or body did not arrive in time');
    case 'HPE_HEADER_OVERFLOW':
      return new FcError(
        'RequestHeaderFieldsTooLarge',
        'the request headers are larger than the server accepts',
      );
    case 'HPE_URI_TOO_LONG':
      return new FcError('URITooLong', 'the request target is longer than the server accepts');
    default:
      return new FcError('InvalidArgument', `malformed HTTP request (${error.code ?? 'parse error'})`);
  }
}
