import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { isPlainObject, parseJsonObject } from '../../model/index.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const KEYS = ['"zipFile"', '"ZipFile"'];

/**
 * The body of a call carrying a base64 code package (up to tens of MB), parsed without the copies a plain
 * `JSON.parse(body.toString())` makes: the base64 text is cut out of the raw bytes once, the rest (small) is
 * parsed, and the request lets go of the raw body so only one copy is alive when the zip is decoded.
 * Anything unusual (escapes in the value, the key elsewhere than `code`) falls back to the plain parse.
 */
export function codeJsonBody(request: FastifyRequest): Record<string, unknown> {
  const raw = Buffer.isBuffer(request.body) ? request.body : undefined;
  request.body = undefined;
  if (raw === undefined) return parseJsonObject(undefined);
  const value = findZipFileValue(raw);
  if (value === undefined) return parseJsonObject(raw);
  const marker = `kumo-zip-${randomUUID()}`;
  const rest = Buffer.concat([raw.subarray(0, value.start), Buffer.from(marker), raw.subarray(value.end)]);
  const json = parseJsonObject(rest);
  const code = json.code ?? json.Code;
  if (!isPlainObject(code)) return parseJsonObject(raw);
  const key = code.zipFile === marker ? 'zipFile' : code.ZipFile === marker ? 'ZipFile' : undefined;
  if (key === undefined) return parseJsonObject(raw);
  code[key] = raw.toString('latin1', value.start, value.end);
  return json;
}

/** Byte range of the string value after a `"zipFile"` key, without its quotes, if it holds no escapes. */
function findZipFileValue(raw: Buffer): { start: number; end: number } | undefined {
  for (const key of KEYS) {
    const at = raw.indexOf(key);
    if (at < 0) continue;
    let i = at + key.length;
    while (i < raw.length && isSpace(raw[i])) i++;
    if (raw[i] !== 0x3a) return undefined; // ':'
    i++;
    while (i < raw.length && isSpace(raw[i])) i++;
    if (raw[i] !== QUOTE) return undefined;
    const start = i + 1;
    const end = raw.indexOf(QUOTE, start);
    if (end < 0) return undefined;
    const backslash = raw.indexOf(BACKSLASH, start);
    if (backslash >= 0 && backslash < end) return undefined;
    return { start, end };
  }
  return undefined;
}

const isSpace = (byte: number | undefined) =>
  byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
