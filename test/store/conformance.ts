import assert from 'node:assert/strict';
import { describe, type TestContext } from 'node:test';
import type {
  Alias,
  CustomDomain,
  FunctionRecord,
  LayerVersion,
  Service,
  Trigger,
  Version,
} from '../../src/model/index.js';
import type { AsyncConfigStore, AsyncInvocation, AsyncQueueStore, MetaStore } from '../../src/store/index.js';
import { asyncConformance } from './conformance-async.js';
import { releaseConformance } from './conformance-releases.js';
import { resourceConformance } from './conformance-resources.js';

/** One store implementation under test, fresh and empty; `reopen` closes it and opens the same data again. */
export interface StoreUnderTest {
  store: MetaStore;
  asyncQueue: AsyncQueueStore;
  asyncConfigs: AsyncConfigStore;
  reopen(): Promise<StoreUnderTest>;
}

/** Opens a fresh, empty store for one test; the opener closes and removes it after the test. */
export type OpenStore = (t: TestContext) => Promise<StoreUnderTest>;

/**
 * The MetaStore / AsyncQueueStore contract, run against every implementation (SQLite, PostgreSQL): the same
 * inputs must give the same answers and the same FC errors.
 */
export function storeConformance(open: OpenStore): void {
  describe('services, functions, triggers, custom domains, tags', () => resourceConformance(open));
  describe('versions, aliases, layers', () => releaseConformance(open));
  describe('async queue, async configs, capacity', () => asyncConformance(open));
}

/** Asserts that `promise` rejects with FC error `code`. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: Error & { code?: string }) => {
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
    return true;
  });
}

const TIME = '2026-12-01T00:00:00Z';

export function service(name: string, description = ''): Service {
  return {
    serviceName: name,
    serviceId: `id-${name}`,
    description,
    createdTime: TIME,
    lastModifiedTime: TIME,
  } as Service;
}

export function fn(
  serviceName: string,
  functionName: string,
  sha256?: string,
  description = '',
): FunctionRecord {
  return {
    serviceName,
    functionName,
    functionId: `id-${functionName}`,
    description,
    runtime: 'nodejs20',
    handler: 'index.handler',
    memorySize: 128,
    timeout: 3,
    instanceConcurrency: 1,
    initializationTimeout: 3,
    caPort: 9000,
    environmentVariables: {},
    code: sha256 ? { sha256, codeSize: 1, codeChecksum: '1' } : null,
    createdTime: TIME,
    lastModifiedTime: TIME,
  } as FunctionRecord;
}

export function trigger(serviceName: string, functionName: string, name: string, type = 'http'): Trigger {
  return {
    serviceName,
    functionName,
    triggerName: name,
    triggerType: type,
    triggerConfig:
      type === 'http'
        ? { authType: 'anonymous', methods: ['GET'] }
        : { cronExpression: '@every 1m', enable: true },
    triggerId: `id-${name}`,
    createdTime: TIME,
    lastModifiedTime: TIME,
  } as Trigger;
}

export function domain(name: string, path = '/*'): CustomDomain {
  return {
    domainName: name,
    protocol: 'HTTP',
    routeConfig: { routes: [{ path, serviceName: 's', functionName: 'f' }] },
    accountId: '1',
    apiVersion: '2016-08-15',
    createdTime: TIME,
    lastModifiedTime: TIME,
  } as CustomDomain;
}

export function draftVersion(serviceName: string, description: string, functions: FunctionRecord[] = []) {
  const draft: Omit<Version, 'versionId'> = {
    serviceName,
    description,
    createdTime: TIME,
    lastModifiedTime: TIME,
    service: service(serviceName),
    functions,
  };
  return draft;
}

export function alias(serviceName: string, name: string, versionId: string, extra?: string): Alias {
  return {
    serviceName,
    aliasName: name,
    versionId,
    description: '',
    additionalVersionWeight: extra ? { [extra]: 0.5 } : {},
    createdTime: TIME,
    lastModifiedTime: TIME,
  };
}

export function layerDraft(name: string, sha256 = 'a'.repeat(64)): Omit<LayerVersion, 'version' | 'acl'> {
  return {
    layerName: name,
    description: '',
    compatibleRuntime: ['nodejs20'],
    sha256,
    codeSize: 1,
    codeChecksum: '1',
    createTime: TIME,
  };
}

export function invocation(id: string, overrides: Partial<AsyncInvocation> = {}): AsyncInvocation {
  return {
    id,
    invocationId: id,
    serviceName: 's',
    functionName: 'f',
    qualifier: 'LATEST',
    payload: Buffer.from(`payload ${id}`),
    status: 'Enqueued',
    attempts: 0,
    nextAttemptAt: 1000,
    createdAt: 1000,
    ...overrides,
  };
}
