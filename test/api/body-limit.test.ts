import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import {
  BodyAborted,
  BodyTooLarge,
  drainBounded,
  OVERSIZED_DRAIN_BYTES,
  readBoundedBody,
} from '../../src/api/index.js';

const MB = 1024 * 1024;

/** A body of `total` bytes in 1 MB chunks, counting what was pulled from it. */
function body(total: number) {
  const pulled = { bytes: 0 };
  const stream = new Readable({
    read() {
      if (pulled.bytes >= total) return void this.push(null);
      const size = Math.min(MB, total - pulled.bytes);
      pulled.bytes += size;
      this.push(Buffer.alloc(size, 1));
    },
  });
  return { stream, pulled };
}

describe('bounded request bodies', () => {
  it('reads a body up to the limit whole', async () => {
    const { stream } = body(3 * MB);
    assert.equal((await readBoundedBody(stream, undefined, 3 * MB)).length, 3 * MB);
  });

  it('drains an oversized body to its end, keeps none of it, and lets the connection stay', async () => {
    const { stream, pulled } = body(7 * MB);
    await assert.rejects(readBoundedBody(stream, undefined, 6 * MB), (error: unknown) => {
      assert.ok(error instanceof BodyTooLarge);
      assert.equal(error.closeConnection, false);
      assert.equal(error.error.status, 400);
      assert.equal(error.error.message, 'payload size exceeds maximum allowed size (6291456 bytes)');
      return true;
    });
    assert.equal(pulled.bytes, 7 * MB);
  });

  it('stops an endless body after the drain bound and asks for the connection to close', async () => {
    const { stream, pulled } = body(Number.POSITIVE_INFINITY);
    await assert.rejects(readBoundedBody(stream, undefined, 6 * MB), (error: unknown) => {
      assert.ok(error instanceof BodyTooLarge);
      assert.equal(error.closeConnection, true);
      return true;
    });
    assert.ok(pulled.bytes <= OVERSIZED_DRAIN_BYTES + 4 * MB, `${pulled.bytes} bytes pulled`);
  });

  it('does not read at all when the declared length is past the drain bound', async () => {
    const { stream, pulled } = body(Number.POSITIVE_INFINITY);
    await assert.rejects(readBoundedBody(stream, String(OVERSIZED_DRAIN_BYTES + 1)), BodyTooLarge);
    assert.equal(pulled.bytes, 0);
    assert.equal(await drainBounded(stream, String(OVERSIZED_DRAIN_BYTES + 1)), false);
    assert.equal(pulled.bytes, 0);
  });

  it('a body broken off by the client is BodyAborted', async () => {
    const stream = new PassThrough();
    const read = readBoundedBody(stream, '1000');
    stream.write(Buffer.alloc(10));
    stream.destroy(new Error('socket hang up'));
    await assert.rejects(read, BodyAborted);
  });

  it('drainBounded: true at the end of a body within the bound, false past it', async () => {
    assert.equal(await drainBounded(body(10 * MB).stream), true);
    const endless = body(Number.POSITIVE_INFINITY);
    assert.equal(await drainBounded(endless.stream), false);
    assert.ok(endless.pulled.bytes <= OVERSIZED_DRAIN_BYTES + 4 * MB);
  });
});
