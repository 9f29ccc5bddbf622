import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { CodeStore } from '../../src/code/index.js';
import { type Control, type ControlDeps, createControl } from '../../src/control/index.js';
import type { CustomDomain, FunctionRecord, Trigger } from '../../src/model/index.js';
import { createRuntimeRegistry } from '../../src/runtimes/index.js';
import { SqliteMetaStore } from '../../src/store/index.js';
import { zipFiles } from './code.js';

export interface ControlHarness {
  control: Control;
  store: SqliteMetaStore;
  dir: string;
  /** Every hook call, in order: `function svc/fn`, `trigger t`, `trigger t deleted`, `domain d` … */
  events: string[];
  /** Functions the `checkFunction` hook saw (the merged record, before it is stored). */
  checked: FunctionRecord[];
}

/** The control layer on a real SQLite store and code store in a temp dir; hooks are recorded. */
export function controlHarness(t: TestContext, overrides: Partial<ControlDeps> = {}): ControlHarness {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-control-test-'));
  const store = new SqliteMetaStore(join(dir, 'meta.db'));
  const code = new CodeStore(join(dir, 'code'), {
    maxZipBytes: 1024 * 1024,
    maxUnzippedBytes: 4 * 1024 * 1024,
    maxEntries: 1000,
  });
  const runtimes = createRuntimeRegistry();
  const events: string[] = [];
  const checked: FunctionRecord[] = [];
  const note = (kind: string, name: string, deleted?: boolean) =>
    events.push(`${kind} ${name}${deleted ? ' deleted' : ''}`);
  const control = createControl({
    store,
    asyncConfigs: store.asyncConfigs,
    code,
    accountId: '1234567890123456',
    checkRuntime: (runtime) => runtimes.check(runtime),
    checkFunction: async (fn) => {
      checked.push(fn);
    },
    onFunctionChanged: (service, fn, version) =>
      note('function', `${service}/${fn}${version ? `@${version}` : ''}`),
    onTriggerChanged: (trigger: Trigger, deleted) => note('trigger', trigger.triggerName, deleted),
    onCustomDomainChanged: (domain: CustomDomain, deleted) => note('domain', domain.domainName, deleted),
    ...overrides,
  });
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { control, store, dir, events, checked };
}

/** A custom-runtime function body with a tiny code package. */
export async function customFunction(functionName: string, over: Record<string, unknown> = {}) {
  return {
    functionName,
    runtime: 'custom',
    code: { zipFile: await zipFiles({ bootstrap: '#!/bin/sh\necho hi\n' }) },
    ...over,
  };
}

/** Runs `promise` and returns the FcError code it rejected with (fails if it resolved). */
export async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  throw new Error('expected a rejection');
}
