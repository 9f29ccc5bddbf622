import type { Readable } from 'node:stream';
import { FcError, LIMITS } from '../model/index.js';

/**
 * An oversized body is still read (and thrown away) up to this many bytes before the error answer goes out, so
 * that a client which writes its whole body before reading (the fc2 SDK, curl) sees FC's 400 instead of a reset
 * connection (EPIPE). Past it, or when the declared length is past it, the answer closes the connection: a client
 * sending an endless body costs bounded bytes (and the server's request timeout bounds the time).
 */
export const OVERSIZED_DRAIN_BYTES = 32 * 1024 * 1024;

/** FC's answer to a synchronous payload over its limit (FC error codes: 400 EntityTooLarge). */
export function payloadTooLarge(limit: number = LIMITS.syncPayloadBytesMax): FcError {
  return new FcError('EntityTooLarge', `payload size exceeds maximum allowed size (${limit} bytes)`);
}

/** A body over the limit, and whether the connection must close after the answer (the rest was not read). */
export class BodyTooLarge extends Error {
  constructor(
    readonly error: FcError,
    readonly closeConnection: boolean,
  ) {
    super(error.message);
  }
}

/** The client went away or broke the body off before its end. */
export class BodyAborted extends Error {}

/**
 * Reads a request body whole if it is at most `limit` bytes. A larger one (declared or chunked) is drained up to
 * `OVERSIZED_DRAIN_BYTES` and rejected with `BodyTooLarge`; nothing of it is kept.
 */
export function readBoundedBody(
  stream: Readable,
  declaredLength: string | undefined,
  limit: number = LIMITS.syncPayloadBytesMax,
): Promise<Buffer> {
  const declared = declaredLength === undefined ? undefined : Number(declaredLength);
  if (declared !== undefined && declared > OVERSIZED_DRAIN_BYTES) {
    return Promise.reject(new BodyTooLarge(payloadTooLarge(limit), true));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (settle: () => void) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      settle();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > OVERSIZED_DRAIN_BYTES) {
        stream.pause();
        done(() => reject(new BodyTooLarge(payloadTooLarge(limit), true)));
      } else if (size <= limit) {
        chunks.push(chunk);
      } else {
        chunks.length = 0;
      }
    };
    const onEnd = () =>
      done(() =>
        size > limit
          ? reject(new BodyTooLarge(payloadTooLarge(limit), false))
          : resolve(Buffer.concat(chunks, size)),
      );
    const onError = (error: Error) =>
      done(() => reject(new BodyAborted(`the request body broke off: ${error.message}`)));
    const onClose = () =>
      done(() => reject(new BodyAborted('the client closed the request before its body ended')));
    if (stream.readableEnded) return onEnd();
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
    stream.resume();
  });
}

/**
 * Reads and discards what is left of a body, at most `OVERSIZED_DRAIN_BYTES`; true when the body ended within
 * that (the connection can stay open), false otherwise.
 */
export function drainBounded(stream: Readable, declaredLength?: string): Promise<boolean> {
  if (stream.readableEnded) return Promise.resolve(true);
  if (stream.destroyed || Number(declaredLength) > OVERSIZED_DRAIN_BYTES) return Promise.resolve(false);
  return new Promise((resolve) => {
    let size = 0;
    const done = (ended: boolean) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onFail);
      stream.off('close', onFail);
      if (!ended) stream.pause();
      resolve(ended);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > OVERSIZED_DRAIN_BYTES) done(false);
    };
    const onEnd = () => done(true);
    const onFail = () => done(false);
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onFail);
    stream.on('close', onFail);
    stream.resume();
  });
}
