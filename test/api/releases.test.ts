import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertFcError, type buildTestApp, type TestApp, withFunction } from '../helpers/app.js';

/** A service with one function and `versions` published versions (each after a change). */
async function withVersions(t: Parameters<typeof buildTestApp>[0], versions: number): Promise<TestApp> {
  const app = await withFunction(t);
  for (let i = 1; i <= versions; i++) {
    const published = await app.send('POST', '/services/svc/versions', { description: `v${i}` });
    assert.equal(published.status, 200, published.body.toString());
    assert.equal(published.json().versionId, String(i));
    await app.send('PUT', '/services/svc/functions/fn', { description: `after v${i}` });
  }
  return app;
}

test('versions: publish refuses an unchanged service, lists newest first by pages, in both directions', async (t) => {
  const app = await withVersions(t, 5);
  const page1 = await app.send('GET', '/services/svc/versions?limit=2');
  assert.equal(page1.status, 200);
  const body1 = page1.json<{ versions: { versionId: string }[]; nextToken: string; direction: string }>();
  assert.deepEqual(
    body1.versions.map((v) => v.versionId),
    ['5', '4'],
  );
  assert.equal(body1.direction, 'BACKWARD');
  const page2 = await app.send('GET', `/services/svc/versions?limit=2&nextToken=${body1.nextToken}`);
  const body2 = page2.json<{ versions: { versionId: string }[]; nextToken: string }>();
  assert.deepEqual(
    body2.versions.map((v) => v.versionId),
    ['3', '2'],
  );
  const last = await app.send('GET', `/services/svc/versions?limit=2&nextToken=${body2.nextToken}`);
  assert.deepEqual(last.json(), {
    versions: [last.json<{ versions: unknown[] }>().versions[0]],
    direction: 'BACKWARD',
  });
  const forward = await app.send('GET', '/services/svc/versions?direction=FORWARD&startKey=4');
  assert.deepEqual(
    forward.json<{ versions: { versionId: string }[] }>().versions.map((v) => v.versionId),
    ['4', '5'],
  );

  await app.send('POST', '/services/svc/versions');
  assertFcError(await app.send('POST', '/services/svc/versions'), 'InvalidArgument', 400, /nothing changed/);
  assertFcError(await app.send('GET', '/services/svc/versions?direction=SIDEWAYS'), 'InvalidArgument', 400);
  assertFcError(await app.send('GET', '/services/svc/versions?limit=0'), 'InvalidArgument', 400);
  assertFcError(await app.send('GET', '/services/svc/versions?startKey=abc'), 'InvalidArgument', 400);
  assertFcError(await app.send('POST', '/services/nope/versions'), 'ServiceNotFound', 404);
  assertFcError(await app.send('DELETE', '/services/svc/versions/99'), 'VersionNotFound', 404);
  assertFcError(await app.send('DELETE', '/services/svc/versions/x'), 'InvalidArgument', 400);
  const stale = await app.send('POST', '/services/svc/versions', {}, { 'if-match': '"stale"' });
  assertFcError(stale, 'PreconditionFailed', 412);
});

test('versions are immutable: writes through a version are refused, reads see the snapshot', async (t) => {
  const app = await withVersions(t, 1);
  const v1 = await app.send('GET', '/services/svc.1/functions/fn');
  assert.equal(v1.json().description, '');
  assert.equal((await app.send('GET', '/services/svc/functions/fn')).json().description, 'after v1');
  assert.equal((await app.send('GET', '/services/svc/functions/fn?qualifier=1')).json().description, '');
  const listed = await app.send('GET', '/services/svc.1/functions');
  assert.deepEqual(
    listed.json<{ functions: { functionName: string }[] }>().functions.map((f) => f.functionName),
    ['fn'],
  );
  assertFcError(
    await app.send('PUT', '/services/svc.1/functions/fn', { description: 'x' }),
    'InvalidArgument',
    400,
  );
  assertFcError(await app.send('PUT', '/services/svc.1', { description: 'x' }), 'InvalidArgument', 400);
  assertFcError(await app.send('GET', '/services/svc.7/functions/fn'), 'VersionNotFound', 404);
  assertFcError(await app.send('GET', '/services/svc.nope/functions/fn'), 'AliasNotFound', 404);
  await app.send('PUT', '/services/svc', { description: 'changed' });
  assert.equal(
    (await app.send('GET', '/services/svc.1')).json().description,
    '',
    "the version's service config",
  );
  assert.equal((await app.send('GET', '/services/svc')).json().description, 'changed');
  // A service with versions is not empty.
  await app.send('DELETE', '/services/svc/functions/fn');
  assertFcError(await app.send('DELETE', '/services/svc'), 'ServiceNotEmpty', 409, /versions/);
  assert.equal(
    (await app.send('GET', '/services/svc.1/functions/fn')).status,
    200,
    'the version keeps the function',
  );
});

test("aliases: FC's validation, etag and If-Match, pagination, not-found and conflict errors", async (t) => {
  const app = await withVersions(t, 3);
  const create = (body: object) => app.send('POST', '/services/svc/aliases', body);
  const created = await create({ aliasName: 'prod', versionId: '1', description: 'live' });
  assert.equal(created.status, 200, created.body.toString());
  assert.deepEqual(
    { ...created.json<Record<string, unknown>>(), createdTime: 0, lastModifiedTime: 0 },
    {
      aliasName: 'prod',
      versionId: '1',
      description: 'live',
      additionalVersionWeight: {},
      createdTime: 0,
      lastModifiedTime: 0,
    },
  );
  const etag = created.headers.etag ?? '';
  assert.ok(etag);
  assertFcError(await create({ aliasName: 'prod', versionId: '1' }), 'AliasAlreadyExists', 409);
  assertFcError(await create({ aliasName: '1abc', versionId: '1' }), 'InvalidArgument', 400, /aliasName/);
  assertFcError(await create({ aliasName: 'LATEST', versionId: '1' }), 'InvalidArgument', 400);
  assertFcError(await create({ aliasName: 'a', versionId: '9' }), 'VersionNotFound', 404);
  assertFcError(await create({ aliasName: 'a', versionId: 'x' }), 'InvalidArgument', 400);
  const weight = (w: object) => create({ aliasName: 'w', versionId: '1', additionalVersionWeight: w });
  assertFcError(await weight({ '2': 1.5 }), 'InvalidArgument', 400, /between 0 and 1/);
  assertFcError(await weight({ '2': -0.1 }), 'InvalidArgument', 400);
  assertFcError(await weight({ '2': 0.1, '3': 0.1 }), 'InvalidArgument', 400, /at most 1/);
  assertFcError(await weight({ '1': 0.1 }), 'InvalidArgument', 400, /own version/);
  assertFcError(await weight({ '9': 0.1 }), 'VersionNotFound', 404);
  assert.equal((await weight({ '2': 0.25 })).status, 200);
  assert.deepEqual((await app.send('GET', '/services/svc/aliases/w')).json().additionalVersionWeight, {
    '2': 0.25,
  });

  for (let i = 0; i < 20; i++) {
    const read = await app.send('GET', '/services/svc.w/functions/fn');
    assert.equal(read.json().description, '', "a read through a weighted alias sees the alias's own version");
  }

  const update = (body: object, headers: Record<string, string> = {}) =>
    app.send('PUT', '/services/svc/aliases/prod', body, headers);
  assertFcError(await update({ versionId: '2' }, { 'if-match': 'stale' }), 'PreconditionFailed', 412);
  const moved = await update({ versionId: '2' }, { 'if-match': `"${etag}"` });
  assert.equal(moved.status, 200);
  assert.equal(moved.json().versionId, '2');
  assert.equal(moved.json().description, 'live', 'fields not given keep their value');
  assert.notEqual(moved.headers.etag, etag);
  assertFcError(
    await app.send('PUT', '/services/svc/aliases/none', { versionId: '1' }),
    'AliasNotFound',
    404,
  );
  assertFcError(await app.send('GET', '/services/svc/aliases/none'), 'AliasNotFound', 404);

  for (const name of ['a1', 'a2', 'a3']) await create({ aliasName: name, versionId: '3' });
  const page = await app.send('GET', '/services/svc/aliases?limit=2');
  const body = page.json<{ aliases: { aliasName: string }[]; nextToken: string }>();
  assert.deepEqual(
    body.aliases.map((a) => a.aliasName),
    ['a1', 'a2'],
  );
  const rest = await app.send('GET', `/services/svc/aliases?limit=10&nextToken=${body.nextToken}`);
  assert.deepEqual(
    rest.json<{ aliases: { aliasName: string }[] }>().aliases.map((a) => a.aliasName),
    ['a3', 'prod', 'w'],
  );
  assert.deepEqual(
    (await app.send('GET', '/services/svc/aliases?prefix=a&limit=10'))
      .json<{ aliases: { aliasName: string }[] }>()
      .aliases.map((a) => a.aliasName),
    ['a1', 'a2', 'a3'],
  );

  assertFcError(await app.send('DELETE', '/services/svc/versions/2'), 'InvalidArgument', 400, /alias/);
  assertFcError(
    await app.send('DELETE', '/services/svc/aliases/prod', undefined, { 'if-match': 'x' }),
    'PreconditionFailed',
    412,
  );
  assert.equal((await app.send('DELETE', '/services/svc/aliases/prod')).status, 204);
  assertFcError(await app.send('DELETE', '/services/svc/versions/2'), 'InvalidArgument', 400, /alias 'w'/);
  assert.equal((await app.send('DELETE', '/services/svc/aliases/w')).status, 204);
  assert.equal((await app.send('DELETE', '/services/svc/versions/2')).status, 204);
  assertFcError(await app.send('GET', '/services/nope/aliases'), 'ServiceNotFound', 404);
});
