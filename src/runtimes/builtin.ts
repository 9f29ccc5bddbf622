import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FunctionRecord } from '../model/index.js';
import { GO_ENV, nodejsEnv, PYTHON_ENV } from './environment.js';
import type { RuntimeDefinition } from './registry.js';

/** The in-instance agents (`runtimes/<lang>/` in the repo), mounted read-only into each sandbox here. */
export const AGENTS_MOUNT = '/opt/kumo/runtimes';
const AGENTS_DIR = fileURLToPath(new URL('../../runtimes', import.meta.url));
const MOUNTS = [{ hostPath: AGENTS_DIR, sandboxPath: AGENTS_MOUNT }];

export const NODEJS: RuntimeDefinition = {
  names: ['nodejs8', 'nodejs10', 'nodejs12', 'nodejs14', 'nodejs16', 'nodejs18', 'nodejs20'],
  interpreter: `node ${process.versions.node}`,
  unavailableReason: () => undefined,
  mounts: MOUNTS,
  env: (fn) => nodejsEnv(fn.runtime),
  command: (fn: FunctionRecord) => [
    process.execPath,
    // As FC does: leave a tenth of the memory to everything that is not the V8 heap.
    `--max-old-space-size=${Math.floor(fn.memorySize * 0.9)}`,
    `${AGENTS_MOUNT}/nodejs/agent.cjs`,
  ],
};

const PYTHON_BINARY = '/usr/bin/python3';
const pythonVersion = probeVersion(PYTHON_BINARY, ['--version']);

export const PYTHON: RuntimeDefinition = {
  names: ['python3', 'python3.9', 'python3.10'],
  interpreter: pythonVersion ?? 'missing',
  unavailableReason: () =>
    pythonVersion ? undefined : `${PYTHON_BINARY} is missing: install Debian's python3 package`,
  mounts: MOUNTS,
  env: () => PYTHON_ENV,
  command: () => [PYTHON_BINARY, '-u', `${AGENTS_MOUNT}/python/agent.py`],
};

export const PYTHON2: RuntimeDefinition = {
  names: ['python2.7'],
  interpreter: 'none',
  unavailableReason: () =>
    'python2.7 reached its end of life and is not served by Kumo: use python3.9 or python3.10',
  command: () => [],
};

/**
 * `go1`: the handler names the function's executable (built with fc-runtime-go-sdk), which pulls its calls from
 * FC's runtime API. The runtime API bridge (runtimes/runtime-api, docs/runtime-api.md) serves that API inside the
 * instance and Kumo's instance protocol outside, so to the scheduler go1 is one more custom runtime.
 */
export const GO: RuntimeDefinition = {
  names: ['go1'],
  interpreter: `your executable, through the runtime API bridge on node ${process.versions.node}`,
  unavailableReason: () => undefined,
  mounts: MOUNTS,
  env: () => GO_ENV,
  command: (fn: FunctionRecord) => [
    process.execPath,
    `${AGENTS_MOUNT}/runtime-api/bridge.cjs`,
    `/code/${fn.handler ?? ''}`,
  ],
};

function probeVersion(binary: string, args: string[]): string | undefined {
  if (!existsSync(binary)) return undefined;
  const result = spawnSync(binary, args, { encoding: 'utf8', timeout: 5000 });
  return result.status === 0 ? (result.stdout || result.stderr).trim() : undefined;
}
