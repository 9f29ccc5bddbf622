import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { crc64Ecma } from '../../src/code/crc64.js';

const POLY = 0xc96c5795d7870f42n;
const ONES = (1n << 64n) - 1n;

/** Bit-at-a-time reference straight from the CRC-64/XZ definition. */
function bitwise(buf: Uint8Array): string {
  let crc = ONES;
  for (const byte of buf) {
    crc ^= BigInt(byte);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ POLY : crc >> 1n;
  }
  return (crc ^ ONES).toString();
}

/** Byte-at-a-time table version (no slicing), fast enough for 20 MB, built from the bitwise definition. */
function bytewise(buf: Uint8Array): string {
  const lo = new Uint32Array(256);
  const hi = new Uint32Array(256);
  for (let b = 0; b < 256; b++) {
    let crc = BigInt(b);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ POLY : crc >> 1n;
    lo[b] = Number(crc & 0xffffffffn);
    hi[b] = Number(crc >> 32n);
  }
  let l = 0xffffffff;
  let h = 0xffffffff;
  for (let i = 0; i < buf.length; i++) {
    const idx = (l ^ (buf[i] as number)) & 0xff;
    l = ((lo[idx] as number) ^ ((l >>> 8) | (h << 24))) >>> 0;
    h = ((hi[idx] as number) ^ (h >>> 8)) >>> 0;
  }
  return ((BigInt(~h >>> 0) << 32n) | BigInt(~l >>> 0)).toString();
}

describe('crc64Ecma', () => {
  it('matches the CRC-64/XZ check vectors', () => {
    assert.equal(crc64Ecma(Buffer.from('123456789')), '11051210869376104954');
    assert.equal(BigInt(crc64Ecma(Buffer.from('123456789'))), 0x995dc9bbdf1939fan);
    assert.equal(crc64Ecma(Buffer.alloc(0)), '0');
    assert.equal(crc64Ecma(Buffer.alloc(0), '12345'), '12345');
  });

  it('matches a bitwise reference for every length around the 8-byte stride', () => {
    for (let n = 0; n <= 70; n++) {
      const buf = randomBytes(n);
      assert.equal(crc64Ecma(buf), bitwise(buf), `length ${n}`);
    }
    const buf = randomBytes(4099);
    assert.equal(crc64Ecma(buf), bitwise(buf));
    assert.equal(crc64Ecma(Buffer.alloc(1000, 0xff)), bitwise(Buffer.alloc(1000, 0xff)));
  });

  it('checksums 20 MB whole, in chunks and with an independent implementation alike', () => {
    const buf = randomBytes(20 * 1024 * 1024);
    const whole = crc64Ecma(buf);
    assert.equal(whole, bytewise(buf));
    let chunked = '0';
    for (
      let offset = 0, step = 1;
      offset < buf.length;
      offset += step, step = 1 + ((step * 7 + 13) % 1_000_003)
    ) {
      chunked = crc64Ecma(buf.subarray(offset, offset + step), chunked);
    }
    assert.equal(chunked, whole);
    const t0 = performance.now();
    crc64Ecma(buf);
    assert.ok(performance.now() - t0 < 2000, 'crc64 of 20 MB should take well under 2 s');
  });

  it('rejects a malformed previous value', () => {
    assert.throws(() => crc64Ecma(Buffer.from('x'), '-1'), RangeError);
    assert.throws(() => crc64Ecma(Buffer.from('x'), '0x10'), RangeError);
    assert.throws(() => crc64Ecma(Buffer.from('x'), (1n << 64n).toString()), RangeError);
  });
});
