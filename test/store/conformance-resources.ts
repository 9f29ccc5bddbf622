import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OpenStore } from './conformance.js';
import { domain, draftVersion, fn, rejectsWith, service, trigger } from './conformance.js';

const names = <T>(page: { items: { value: T }[] }, nameOf: (v: T) => string) =>
  page.items.map((i) => nameOf(i.value));
const serviceNames = (page: { items: { value: { serviceName: string } }[] }) =>
  names(page, (s) => s.serviceName);

export function resourceConformance(open: OpenStore): void {
  test('services: create, get, etags with ifMatch, not-found and already-exists errors', async (t) => {
    const { store } = await open(t);
    const created = await store.createService(service('svc', 'one'));
    assert.match(created.etag, /^\S+$/);
    await rejectsWith(store.createService(service('svc')), 'ServiceAlreadyExists');
    assert.deepEqual(await store.getService('svc'), created);
    assert.equal(await store.getService('missing'), undefined);
    await rejectsWith(store.updateService(service('svc', 'two'), 'stale'), 'PreconditionFailed');
    const updated = await store.updateService(service('svc', 'two'), created.etag);
    assert.notEqual(updated.etag, created.etag);
    assert.equal((await store.getService('svc'))?.value.description, 'two');
    await rejectsWith(store.updateService(service('missing')), 'ServiceNotFound');
    await rejectsWith(store.deleteService('svc', created.etag), 'PreconditionFailed');
    await rejectsWith(store.deleteService('missing'), 'ServiceNotFound');
    await store.deleteService('svc', updated.etag);
    assert.equal(await store.getService('svc'), undefined);
  });

  test('services: pages in byte order with limit, nextToken, startKey, prefix and tags', async (t) => {
    const { store } = await open(t);
    for (const name of ['b-2', 'a-1', 'B-0', 'a-3', 'c-4']) await store.createService(service(name));
    const first = await store.listServices({ limit: 2 });
    assert.deepEqual(serviceNames(first), ['B-0', 'a-1'], 'upper case sorts first, as bytes do');
    assert.ok(first.nextToken);
    const second = await store.listServices({ limit: 2, nextToken: first.nextToken });
    assert.deepEqual(serviceNames(second), ['a-3', 'b-2']);
    const last = await store.listServices({ limit: 2, nextToken: second.nextToken });
    assert.deepEqual(serviceNames(last), ['c-4']);
    assert.equal(last.nextToken, undefined);
    assert.deepEqual(serviceNames(await store.listServices({ limit: 10, prefix: 'a-' })), ['a-1', 'a-3']);
    assert.deepEqual(serviceNames(await store.listServices({ limit: 10, startKey: 'a-3' })), [
      'a-3',
      'b-2',
      'c-4',
    ]);
    assert.deepEqual(
      serviceNames(await store.listServices({ limit: 10, prefix: '%' })),
      [],
      'a prefix is text',
    );
    await store.tagResource('services/a-3', { team: 'x', env: 'prod' }, 20);
    await store.tagResource('services/b-2', { team: 'x' }, 20);
    assert.deepEqual(serviceNames(await store.listServices({ limit: 10, tags: { team: 'x' } })), [
      'a-3',
      'b-2',
    ]);
    assert.deepEqual(
      serviceNames(await store.listServices({ limit: 10, tags: { team: 'x', env: 'prod' } })),
      ['a-3'],
    );
  });

  test('services: ServiceNotEmpty while functions, versions or aliases remain; tags go with the service', async (t) => {
    const { store } = await open(t);
    await store.createService(service('svc'));
    await store.tagResource('services/svc', { a: '1' }, 20);
    await store.createFunction(fn('svc', 'f'));
    await rejectsWith(store.deleteService('svc'), 'ServiceNotEmpty');
    await store.publishVersion(draftVersion('svc', 'v1'), () => false);
    await store.deleteFunction('svc', 'f');
    await rejectsWith(store.deleteService('svc'), 'ServiceNotEmpty');
    await store.deleteVersion('svc', '1');
    await store.deleteService('svc');
    assert.deepEqual(await store.getTags('services/svc'), {});
    await store.createService(service('svc'));
    const again = await store.publishVersion(draftVersion('svc', 'fresh'), () => false);
    assert.equal(again.value.versionId, '1', 'a recreated service numbers its versions from 1 again');
  });

  test('functions: create in a service, etags, delete returns the record, list pages, code references', async (t) => {
    const { store } = await open(t);
    const sha = 'c'.repeat(64);
    await rejectsWith(store.createFunction(fn('nope', 'f')), 'ServiceNotFound');
    await store.createService(service('svc'));
    const created = await store.createFunction(fn('svc', 'f', sha));
    await rejectsWith(store.createFunction(fn('svc', 'f')), 'FunctionAlreadyExists');
    assert.deepEqual(await store.getFunction('svc', 'f'), created);
    assert.equal(await store.getFunction('svc', 'g'), undefined);
    await rejectsWith(store.updateFunction(fn('svc', 'f', sha, 'x'), 'stale'), 'PreconditionFailed');
    await rejectsWith(store.updateFunction(fn('svc', 'g')), 'FunctionNotFound');
    await rejectsWith(store.updateFunction(fn('nope', 'f')), 'ServiceNotFound');
    const updated = await store.updateFunction(fn('svc', 'f', sha, 'x'), created.etag);
    assert.equal((await store.getFunction('svc', 'f'))?.etag, updated.etag);
    assert.equal(await store.codeReferences(sha), 1);
    await store.createFunction(fn('svc', 'g', sha));
    await store.publishVersion(draftVersion('svc', 'v', [fn('svc', 'f', sha)]), () => false);
    await store.publishLayerVersion({ ...layerOf(sha) });
    assert.equal(await store.codeReferences(sha), 4, 'two functions, one version, one layer version');
    for (const name of ['h', 'i']) await store.createFunction(fn('svc', name));
    const page = await store.listFunctions('svc', { limit: 3 });
    assert.deepEqual(
      names(page, (f) => f.functionName),
      ['f', 'g', 'h'],
    );
    const rest = await store.listFunctions('svc', { limit: 3, nextToken: page.nextToken });
    assert.deepEqual(
      names(rest, (f) => f.functionName),
      ['i'],
    );
    await rejectsWith(store.listFunctions('nope', { limit: 3 }), 'ServiceNotFound');
    await rejectsWith(store.deleteFunction('svc', 'f', 'stale'), 'PreconditionFailed');
    const deleted = await store.deleteFunction('svc', 'f', updated.etag);
    assert.equal(deleted.value.description, 'x');
    await rejectsWith(store.deleteFunction('svc', 'f'), 'FunctionNotFound');
  });

  test('triggers: on an existing function, etags, HTTP trigger lookup, by type, gone with their function', async (t) => {
    const { store } = await open(t);
    await store.createService(service('svc'));
    await rejectsWith(store.createTrigger(trigger('svc', 'f', 't')), 'FunctionNotFound');
    await store.createFunction(fn('svc', 'f'));
    assert.equal(await store.httpTrigger('svc', 'f'), undefined);
    const timer = await store.createTrigger(trigger('svc', 'f', 'a-timer', 'timer'));
    const http = await store.createTrigger(trigger('svc', 'f', 'b-http'));
    await rejectsWith(store.createTrigger(trigger('svc', 'f', 'b-http')), 'TriggerAlreadyExists');
    assert.deepEqual(await store.getTrigger('svc', 'f', 'b-http'), http);
    assert.equal(await store.getTrigger('svc', 'f', 'zz'), undefined);
    assert.equal((await store.httpTrigger('svc', 'f'))?.triggerName, 'b-http');
    assert.deepEqual(
      (await store.triggersOfType('timer')).map((s) => s.value.triggerName),
      ['a-timer'],
    );
    await rejectsWith(
      store.updateTrigger({ ...timer.value, description: 'x' }, 'stale'),
      'PreconditionFailed',
    );
    await rejectsWith(store.updateTrigger(trigger('svc', 'f', 'zz')), 'TriggerNotFound');
    const updated = await store.updateTrigger({ ...timer.value, description: 'x' }, timer.etag);
    assert.equal((await store.getTrigger('svc', 'f', 'a-timer'))?.etag, updated.etag);
    const page = await store.listTriggers('svc', 'f', { limit: 1 });
    assert.deepEqual(
      names(page, (tr) => tr.triggerName),
      ['a-timer'],
    );
    assert.deepEqual(
      names(
        await store.listTriggers('svc', 'f', { limit: 1, nextToken: page.nextToken }),
        (tr) => tr.triggerName,
      ),
      ['b-http'],
    );
    await rejectsWith(store.listTriggers('svc', 'g', { limit: 1 }), 'FunctionNotFound');
    await rejectsWith(store.deleteTrigger('svc', 'f', 'b-http', 'stale'), 'PreconditionFailed');
    await store.deleteTrigger('svc', 'f', 'b-http', http.etag);
    await rejectsWith(store.deleteTrigger('svc', 'f', 'b-http'), 'TriggerNotFound');
    assert.equal(await store.httpTrigger('svc', 'f'), undefined);
    await store.createTrigger(trigger('svc', 'f', 'c-http'));
    await store.deleteFunction('svc', 'f');
    assert.equal(await store.httpTrigger('svc', 'f'), undefined);
    assert.deepEqual(await store.triggersOfType('timer'), []);
  });

  test('custom domains: create, etags, not-found and already-exists, pages', async (t) => {
    const { store } = await open(t);
    const created = await store.createCustomDomain(domain('a.example.com'));
    await store.createCustomDomain(domain('b.example.com'));
    await rejectsWith(store.createCustomDomain(domain('a.example.com')), 'DomainNameAlreadyExists');
    assert.deepEqual(await store.getCustomDomain('a.example.com'), created);
    await rejectsWith(store.updateCustomDomain(domain('a.example.com', '/x'), 'stale'), 'PreconditionFailed');
    await rejectsWith(store.updateCustomDomain(domain('c.example.com')), 'DomainNameNotFound');
    const updated = await store.updateCustomDomain(domain('a.example.com', '/x'), created.etag);
    assert.notEqual(updated.etag, created.etag);
    const page = await store.listCustomDomains({ limit: 1 });
    assert.deepEqual(
      names(page, (d) => d.domainName),
      ['a.example.com'],
    );
    assert.deepEqual(
      names(await store.listCustomDomains({ limit: 5, nextToken: page.nextToken }), (d) => d.domainName),
      ['b.example.com'],
    );
    await rejectsWith(store.deleteCustomDomain('a.example.com', created.etag), 'PreconditionFailed');
    await store.deleteCustomDomain('a.example.com', updated.etag);
    await rejectsWith(store.deleteCustomDomain('a.example.com'), 'DomainNameNotFound');
  });

  test('tags: add and replace, a maximum that keeps nothing of a refused call, remove some or all', async (t) => {
    const { store } = await open(t);
    await store.tagResource('services/s', { a: '1', b: '2' }, 3);
    await store.tagResource('services/s', { b: '3' }, 3);
    assert.deepEqual(await store.getTags('services/s'), { a: '1', b: '3' });
    await rejectsWith(store.tagResource('services/s', { c: '4', d: '5' }, 3), 'InvalidArgument');
    assert.deepEqual(
      await store.getTags('services/s'),
      { a: '1', b: '3' },
      'nothing of the refused call is kept',
    );
    await store.untagResource('services/s', ['a', 'missing']);
    assert.deepEqual(await store.getTags('services/s'), { b: '3' });
    await store.untagResource('services/s', 'all');
    assert.deepEqual(await store.getTags('services/s'), {});
  });
}

function layerOf(sha256: string) {
  return {
    layerName: 'lib',
    description: '',
    compatibleRuntime: [],
    sha256,
    codeSize: 1,
    codeChecksum: '1',
    createTime: '',
  };
}
