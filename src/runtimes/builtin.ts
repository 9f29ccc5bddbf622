import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PYTHON_ENV } from './environment.js';
import type { RuntimeDefinition } from './registry.js';

/** The in-instance agents (`runtimes/<lang>/` in the repo), mounted read-only into each sandbox here. */
export const AGENTS_MOUNT = '/opt/kumo/runtimes';
const AGENTS_DIR = fileURLToPath(new URL('../../runtimes', import.meta.url));
export const AGENT_MOUNTS = [{ hostPath: AGENTS_DIR, sandboxPath: AGENTS_MOUNT }];

const PYTHON_BINARY = '/usr/bin/python3';
const pythonVersion = probeVersion(PYTHON_BINARY, ['--version']);

export const PYTHON: RuntimeDefinition = {
  names: ['python3', 'python3.9', 'python3.10'],
  interpreter: pythonVersion ?? 'missing',
  unavailableReason: () =>
    pythonVersion ? undefined : `${PYTHON_BINARY} is missing: install Debian's python3 package`,
  substitution: (runtime) => pythonSubstitution(runtime, pythonVersion),
  mounts: AGENT_MOUNTS,
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

/** `python3.9` and `python3.10` promise a minor version; this machine has one Python 3 (FC's `python3` is any). */
export function pythonSubstitution(runtime: string, version: string | undefined): string | undefined {
  const wanted = /^python(3\.\d+)$/.exec(runtime)?.[1];
  const have = /(\d+\.\d+)(\.\d+)?/.exec(version ?? '');
  if (!wanted || !have || have[1] === wanted) return undefined;
  return (
    `${runtime} runs on Python ${have[0]}: this machine has no Python ${wanted} (${PYTHON_BINARY} is ${have[0]}); ` +
    `code that depends on ${wanted}-only behaviour or binary wheels built for ${wanted} may differ`
  );
}

function probeVersion(binary: string, args: string[]): string | undefined {
  if (!existsSync(binary)) return undefined;
  const result = spawnSync(binary, args, { encoding: 'utf8', timeout: 5000 });
  return result.status === 0 ? (result.stdout || result.stderr).trim() : undefined;
}
