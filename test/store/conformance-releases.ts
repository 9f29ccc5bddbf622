import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OpenStore } from './conformance.js';
import { alias, draftVersion, fn, layerDraft, rejectsWith, service } from './conformance.js';

const ids = (page: { items: { value: { versionId: string } }[] }) => page.items.map((i) => i.value.versionId);

export function releaseConformance(open: OpenStore): void {
  test('versions: numbered per service, never reused, refused when unchanged, paged both ways', async (t) => {
    const { store } = await open(t);
    await rejectsWith(
      store.publishVersion(draftVersion('nope', 'x'), () => false),
      'ServiceNotFound',
    );
    await store.createService(service('svc'));
    const v1 = await store.publishVersion(draftVersion('svc', 'one', [fn('svc', 'f')]), () => false);
    assert.equal(v1.value.versionId, '1');
    assert.equal(v1.value.functions[0]?.functionName, 'f');
    let seen: string | undefined;
    await rejectsWith(
      store.publishVersion(draftVersion('svc', 'same'), (last) => {
        seen = last.description;
        return true;
      }),
      'InvalidArgument',
    );
    assert.equal(seen, 'one', '`unchanged` is asked about the newest version');
    for (const d of ['two', 'three']) await store.publishVersion(draftVersion('svc', d), () => false);
    await store.deleteVersion('svc', '3');
    await rejectsWith(store.deleteVersion('svc', '3'), 'VersionNotFound');
    await rejectsWith(store.deleteVersion('nope', '1'), 'ServiceNotFound');
    const v4 = await store.publishVersion(draftVersion('svc', 'four'), () => false);
    assert.equal(v4.value.versionId, '4', 'a deleted number is not reused');
    assert.deepEqual(await store.getVersion('svc', '1'), v1);
    for (const bad of ['3', 'x', '', '-1', '99999999999'])
      assert.equal(await store.getVersion('svc', bad), undefined);
    const back = await store.listVersions('svc', { limit: 2 });
    assert.deepEqual(ids(back), ['4', '2']);
    assert.deepEqual(ids(await store.listVersions('svc', { limit: 2, nextToken: back.nextToken })), ['1']);
    const forward = await store.listVersions('svc', { limit: 2, direction: 'FORWARD' });
    assert.deepEqual(ids(forward), ['1', '2']);
    assert.deepEqual(
      ids(await store.listVersions('svc', { limit: 2, direction: 'FORWARD', nextToken: forward.nextToken })),
      ['4'],
    );
    assert.deepEqual(ids(await store.listVersions('svc', { limit: 5, startKey: '2' })), ['2', '1']);
    await rejectsWith(store.listVersions('svc', { limit: 5, startKey: 'x' }), 'InvalidArgument');
    await rejectsWith(store.listVersions('nope', { limit: 5 }), 'ServiceNotFound');
  });

  test('versions: concurrent publishes of one service get distinct numbers', async (t) => {
    const { store } = await open(t);
    await store.createService(service('svc'));
    const published = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((n) => store.publishVersion(draftVersion('svc', `v${n}`), () => false)),
    );
    assert.deepEqual(
      published.map((p) => Number(p.value.versionId)).sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6],
    );
  });

  test('aliases: name existing versions, etags, keep their versions from deletion, page', async (t) => {
    const { store } = await open(t);
    await store.createService(service('svc'));
    for (const d of ['one', 'two']) await store.publishVersion(draftVersion('svc', d), () => false);
    await rejectsWith(store.createAlias(alias('svc', 'live', '7')), 'VersionNotFound');
    await rejectsWith(store.createAlias(alias('svc', 'live', '1', '9')), 'VersionNotFound');
    await rejectsWith(store.createAlias(alias('nope', 'live', '1')), 'ServiceNotFound');
    const live = await store.createAlias(alias('svc', 'live', '1', '2'));
    await rejectsWith(store.createAlias(alias('svc', 'live', '1')), 'AliasAlreadyExists');
    assert.deepEqual(await store.getAlias('svc', 'live'), live);
    assert.equal(await store.getAlias('svc', 'gone'), undefined);
    await rejectsWith(store.deleteVersion('svc', '2'), 'InvalidArgument');
    await rejectsWith(store.deleteVersion('svc', '1'), 'InvalidArgument');
    await rejectsWith(store.updateAlias(alias('svc', 'live', '2'), 'stale'), 'PreconditionFailed');
    await rejectsWith(store.updateAlias(alias('svc', 'live', '5')), 'VersionNotFound');
    await rejectsWith(store.updateAlias(alias('svc', 'gone', '1')), 'AliasNotFound');
    const moved = await store.updateAlias(alias('svc', 'live', '2'), live.etag);
    await store.deleteVersion('svc', '1');
    await store.createAlias(alias('svc', 'beta', '2'));
    const page = await store.listAliases('svc', { limit: 1 });
    assert.deepEqual(
      page.items.map((a) => a.value.aliasName),
      ['beta'],
    );
    const rest = await store.listAliases('svc', { limit: 1, nextToken: page.nextToken });
    assert.deepEqual(
      rest.items.map((a) => a.value.aliasName),
      ['live'],
    );
    await rejectsWith(store.listAliases('nope', { limit: 1 }), 'ServiceNotFound');
    await rejectsWith(store.deleteAlias('svc', 'live', live.etag), 'PreconditionFailed');
    await store.deleteAlias('svc', 'live', moved.etag);
    await rejectsWith(store.deleteAlias('svc', 'live'), 'AliasNotFound');
    await rejectsWith(store.deleteService('svc'), 'ServiceNotEmpty');
  });

  test('layers: versions never reused, deleted ones hidden but resolvable, ACL, lists and pages', async (t) => {
    const { store } = await open(t);
    const v1 = await store.publishLayerVersion(layerDraft('lib'));
    assert.deepEqual([v1.value.version, v1.value.acl], [1, 0]);
    await store.publishLayerVersion(layerDraft('lib'));
    await store.deleteLayerVersion('lib', 2);
    await rejectsWith(store.deleteLayerVersion('lib', 2), 'LayerNotFound');
    const v3 = await store.publishLayerVersion(layerDraft('lib'));
    assert.equal(v3.value.version, 3, 'a deleted layer version number is not reused');
    assert.equal(await store.getLayerVersion('lib', 2), undefined);
    assert.equal((await store.getLayerVersion('lib', 2, true))?.value.version, 2);
    assert.deepEqual(await store.getLayerVersion('lib', 1), v1);
    await store.publishLayerVersion(layerDraft('another'));
    const layers = await store.listLayers({ limit: 1 });
    assert.deepEqual(
      layers.items.map((l) => [l.value.layerName, l.value.version]),
      [['another', 1]],
    );
    const next = await store.listLayers({ limit: 5, nextToken: layers.nextToken });
    assert.deepEqual(
      next.items.map((l) => [l.value.layerName, l.value.version]),
      [['lib', 3]],
    );
    assert.deepEqual((await store.listLayers({ limit: 5, publicOnly: true })).items, []);
    await store.setLayerAcl('lib', 1);
    const onlyPublic = await store.listLayers({ limit: 5, publicOnly: true });
    assert.deepEqual(
      onlyPublic.items.map((l) => [l.value.layerName, l.value.acl]),
      [['lib', 1]],
    );
    assert.equal(
      (await store.getLayerVersion('lib', 1))?.value.acl,
      1,
      'the ACL is copied into every version',
    );
    assert.equal(
      (await store.publishLayerVersion(layerDraft('lib'))).value.acl,
      1,
      'new versions inherit it',
    );
    const versions = await store.listLayerVersions('lib', 1, 2);
    assert.deepEqual(
      versions.items.map((v) => v.value.version),
      [1, 3],
    );
    assert.equal(versions.nextVersion, 4);
    assert.deepEqual(
      (await store.listLayerVersions('lib', 4, 2)).items.map((v) => v.value.version),
      [4],
    );
    assert.deepEqual((await store.listLayerVersions('lib', 9, 2)).items, []);
    await rejectsWith(store.listLayerVersions('nope', 1, 2), 'LayerNotFound');
    await rejectsWith(store.setLayerAcl('nope', 1), 'LayerNotFound');
    for (const v of [1, 3, 4]) await store.deleteLayerVersion('lib', v);
    await rejectsWith(store.listLayerVersions('lib', 1, 2), 'LayerNotFound');
    assert.deepEqual(
      (await store.listLayers({ limit: 5 })).items.map((l) => l.value.layerName),
      ['another'],
    );
    assert.equal((await store.publishLayerVersion(layerDraft('lib'))).value.version, 5);
  });

  test('layers: concurrent publishes of one layer get distinct numbers', async (t) => {
    const { store } = await open(t);
    const published = await Promise.all(
      [1, 2, 3, 4, 5].map(() => store.publishLayerVersion(layerDraft('lib'))),
    );
    assert.deepEqual(
      published.map((p) => p.value.version).sort((a, b) => a - b),
      [1, 2, 3, 4, 5],
    );
  });
}
