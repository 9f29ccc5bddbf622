import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { crc64Ecma } from '../../src/code/index.js';
import { assertFcError, buildTestApp, type TestApp } from '../helpers/app.js';
import { zipFiles } from '../helpers/code.js';

const BOOTSTRAP = '#!/bin/sh\nexec python3 -m http.server "$FC_SERVER_PORT"\n';

const createWithCode = (app: TestApp, code: object, headers: Record<string, string> = {}) =>
  app.send('POST', '/services/svc/functions', { functionName: 'fn', runtime: 'custom', code }, headers);

const storedZips = (app: TestApp): string[] => {
  try {
    return readdirSync(join(app.dataDir, 'code', 'zips')).filter((f) => f.endsWith('.zip'));
  } catch {
    return [];
  }
};

test('a bad code package is refused with FC errors and stores nothing', async (t) => {
  const app = await buildTestApp(t, { maxZipBytes: 64 * 1024 });
  await app.send('POST', '/services', { serviceName: 'svc' });

  assertFcError(await createWithCode(app, { zipFile: 'not base64 !!' }), 'InvalidArgument', 400, /base64/);
  assertFcError(
    await createWithCode(app, { zipFile: Buffer.from('not a zip').toString('base64') }),
    'InvalidArgument',
    400,
    /zip/,
  );
  assertFcError(await createWithCode(app, { zipFile: zipSlip() }), 'InvalidArgument', 400, /\.\.\/evil/);
  const big = await zipFiles({ bootstrap: BOOTSTRAP, 'random.bin': randomBytes(200 * 1024) });
  assertFcError(await createWithCode(app, { zipFile: big }), 'EntityTooLarge', 400);
  assertFcError(
    await createWithCode(app, { ossBucketName: 'b', ossObjectName: 'o.zip' }),
    'InvalidArgument',
    400,
    /OSS/,
  );
  assertFcError(await createWithCode(app, {}), 'InvalidArgument', 400, /code.zipFile is required/);
  assert.deepEqual(storedZips(app), []);
  assertFcError(await app.send('GET', '/services/svc/functions/fn'), 'FunctionNotFound', 404);
});

test('X-Fc-Code-Checksum must match the CRC-64 of the zip', async (t) => {
  const app = await buildTestApp(t);
  await app.send('POST', '/services', { serviceName: 'svc' });
  const zipFile = await zipFiles({ bootstrap: BOOTSTRAP });
  const checksum = crc64Ecma(Buffer.from(zipFile, 'base64'));
  assertFcError(
    await createWithCode(app, { zipFile }, { 'x-fc-code-checksum': '12345' }),
    'InvalidArgument',
    400,
    new RegExp(`12345 does not match the code's CRC64 ${checksum}`),
  );
  assertFcError(await app.send('GET', '/services/svc/functions/fn'), 'FunctionNotFound', 404);
  const created = await createWithCode(app, { zipFile }, { 'x-fc-code-checksum': checksum });
  assert.equal(created.status, 200, created.body.toString());
  assert.equal(created.json().codeChecksum, checksum);
});

test('getFunctionCode gives a signed download URL; a tampered, expired or foreign URL is refused', async (t) => {
  const app = await buildTestApp(t);
  await app.send('POST', '/services', { serviceName: 'svc' });
  const zipFile = await zipFiles({ bootstrap: BOOTSTRAP, 'lib/util.txt': 'data' });
  const created = await createWithCode(app, { zipFile });

  const code = await app.send('GET', '/services/svc/functions/fn/code');
  assert.equal(code.status, 200, code.body.toString());
  const { url, checksum } = code.json<{ url: string; checksum: string }>();
  assert.equal(checksum, created.json().codeChecksum);
  const download = new URL(url);
  assert.match(download.pathname, /^\/2016-08-15\/code-packages\/[0-9a-f]{64}\.zip$/);
  const get = (path: string) => app.app.inject({ method: 'GET', url: path });

  const ok = await get(download.pathname + download.search);
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.headers['content-type'], 'application/zip');
  assert.deepEqual(ok.rawPayload, Buffer.from(zipFile, 'base64'));

  const tampered = new URL(url);
  tampered.searchParams.set('signature', 'x');
  assert.equal((await get(tampered.pathname + tampered.search)).statusCode, 403);

  const expired = new URL(url);
  expired.searchParams.set('expires', '1000');
  assert.equal(
    (await get(expired.pathname + expired.search)).statusCode,
    403,
    'a changed expiry breaks the signature',
  );

  const other = `${download.pathname.replace(/[0-9a-f]{64}/, '0'.repeat(64))}${download.search}`;
  assert.equal((await get(other)).statusCode, 403, 'the signature covers the package');
  assertFcError(await app.send('GET', '/services/svc/functions/nope/code'), 'FunctionNotFound', 404);
});

/** A zip with one stored entry named `../evil`, written by hand (zip tools refuse to). */
function zipSlip(): string {
  const name = Buffer.from('../evil');
  const data = Buffer.from('owned');
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(name.length, 28);
  const localPart = Buffer.concat([local, name, data]);
  const centralPart = Buffer.concat([central, name]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralPart.length, 12);
  end.writeUInt32LE(localPart.length, 16);
  return Buffer.concat([localPart, centralPart, end]).toString('base64');
}

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
