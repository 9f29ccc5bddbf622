import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FunctionRecord } from '../model/index.js';
import { GO_ENV, PYTHON_ENV, phpEnv } from './environment.js';
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

const PHP_BINARY = '/usr/bin/php';
/** `8.2.36` and the folder of the machine's extension `.ini` files, from one run of the binary. */
const [phpVersion, phpIniDir = ''] =
  probeVersion(PHP_BINARY, ['-n', '-r', 'echo PHP_VERSION, "\\n", PHP_CONFIG_FILE_SCAN_DIR;'])?.split('\n') ??
  [];

/** FC's PHP runtime (its only one, php7.2) on the machine's PHP 8: runtimes/php/agent.php (docs/php.md). */
export const PHP: RuntimeDefinition = {
  names: ['php7.2'],
  interpreter: !phpVersion
    ? 'missing'
    : existsSync('/usr/share/php/GuzzleHttp/Psr7/autoload.php')
      ? `php ${phpVersion}`
      : `php ${phpVersion} (no PSR-7 for HTTP functions: install php-guzzlehttp-psr7)`,
  unavailableReason: () =>
    phpVersion ? undefined : `${PHP_BINARY} is missing: install Debian's php-cli package`,
  substitution: (runtime) =>
    `${runtime} runs on PHP ${phpVersion}: code that relies on what PHP 8 removed or changed (each(), ` +
    'create_function(), string-to-number comparison, warnings that became errors) can fail here and not on FC',
  mounts: AGENT_MOUNTS,
  env: () => phpEnv(phpIniDir),
  command: (fn: FunctionRecord) => [
    PHP_BINARY,
    // PHP's own limit below the instance's (PHP itself takes some 20 MB), so a runaway script ends with PHP's
    // "memory exhausted" error rather than the kernel's OOM kill.
    '-d',
    `memory_limit=${Math.max(Math.floor(fn.memorySize / 2), fn.memorySize - 32)}M`,
    '-d',
    'output_buffering=0',
    '-d',
    'display_errors=0',
    '-d',
    'log_errors=1',
    '-d',
    'html_errors=0',
    `${AGENTS_MOUNT}/php/agent.php`,
  ],
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
  mounts: AGENT_MOUNTS,
  env: () => GO_ENV,
  command: (fn: FunctionRecord) => [
    process.execPath,
    `${AGENTS_MOUNT}/runtime-api/bridge.cjs`,
    `/code/${fn.handler ?? ''}`,
  ],
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
