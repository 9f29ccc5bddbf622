import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FunctionRecord } from '../../model/index.js';
import { createRuntimeRegistry, type RuntimeDefinition } from '../../runtimes/index.js';
import { findBinary } from '../../sandbox/index.js';

/** One command of a function's build, as the build sandbox sees paths (the build folder at `/code`). */
export interface BuildStep {
  /** What the user sees: `npm ci --omit=dev`. */
  label: string;
  command: string[];
  /** Extra environment for this step. */
  env?: Record<string, string>;
  /** Why this step cannot run on this machine (a missing tool), or undefined. */
  missing?: string;
  /** Java: after `mvn package`, the jar to deploy. */
  collectsJar?: boolean;
}

/** What `kumo build` runs for one function, and with which interpreter. */
export interface BuildPlan {
  steps: BuildStep[];
  /** Host folders of the runtime (its interpreter, agent) the build sees read-only, as the instance does. */
  mounts: { hostPath: string; sandboxPath: string }[];
  /** Folder of the runtime's interpreter, first on the build's PATH (same interpreter and ABI as at run time). */
  interpreterDir?: string;
  /** The runtime's interpreter as the build sees it (`/usr/bin/python3`). */
  interpreter?: string;
}

export type RuntimeFamily = 'nodejs' | 'python' | 'java' | 'go' | 'php' | 'custom' | 'other';

export function runtimeFamily(runtime: string): RuntimeFamily {
  if (runtime === 'custom-container') return 'other';
  const family = ['nodejs', 'python', 'java', 'php', 'custom'].find((f) => runtime.startsWith(f));
  if (family) return family as RuntimeFamily;
  return runtime === 'go1' ? 'go' : 'other';
}

let registry: ReturnType<typeof createRuntimeRegistry> | undefined;

function definitionOf(runtime: string): RuntimeDefinition | undefined {
  registry ??= createRuntimeRegistry();
  try {
    return registry.resolve(runtime);
  } catch {
    return undefined;
  }
}

/** The runtime's interpreter: the first word of the instance's command when it is a program, not the code. */
function interpreterOf(definition: RuntimeDefinition | undefined, runtime: string, handler: string) {
  if (!definition || runtimeFamily(runtime) === 'custom') return undefined;
  // Only `runtime`, `handler` and `memorySize` shape a built-in runtime's command line.
  const record = { runtime, handler, memorySize: 512 } as FunctionRecord;
  try {
    const program = definition.command(record)[0];
    return program?.startsWith('/') && !program.startsWith('/code') ? program : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A runtime whose interpreter lives outside the system folders the build sees (a Node.js major from a runtimes
 * cache, say) gets that interpreter's install prefix (`…/node-v18/` of `…/node-v18/bin/node`) read-only at the
 * same path, so the build really runs on it (exported for tests). Under /usr/local (FC's install paths in the sandbox) it cannot.
 */
export function interpreterMount(interpreter: string | undefined, definition: RuntimeDefinition | undefined) {
  if (!interpreter || !existsSync(interpreter)) return [];
  if ((definition?.mounts ?? []).some((m) => interpreter.startsWith(`${m.sandboxPath}/`))) return [];
  if (/^\/(usr\/(?!local\/)|bin\/|sbin\/|lib)/.test(interpreter) || interpreter.startsWith('/usr/local/'))
    return [];
  const prefix = dirname(dirname(interpreter));
  return prefix === '/' ? [] : [{ hostPath: realpathSync(prefix), sandboxPath: prefix }];
}

const has = (dir: string, name: string) => existsSync(join(dir, name));

function hasNodeDependencies(dir: string): boolean {
  if (has(dir, 'package-lock.json') || has(dir, 'npm-shrinkwrap.json')) return true;
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    return ['dependencies', 'optionalDependencies'].some(
      (key) => Object.keys((pkg[key] as object | undefined) ?? {}).length > 0,
    );
  } catch {
    return true; // a broken package.json: let npm say what is wrong with it
  }
}

const tool = (name: string, install: string) =>
  findBinary(name) ? undefined : `${name} is not installed on this machine (${install})`;

function npmStep(dir: string): BuildStep {
  const lock = has(dir, 'package-lock.json') || has(dir, 'npm-shrinkwrap.json');
  const verb = lock ? 'ci' : 'install';
  return {
    label: `npm ${verb} --omit=dev`,
    command: ['npm', verb, '--omit=dev', '--no-audit', '--no-fund', '--update-notifier=false'],
    missing: tool('npm', 'apt-get install npm'),
  };
}

/** `python` as the build sees it; `hostPython` the same program on the host, to check pip is there. */
function pipStep(python: string, hostPython: string): BuildStep {
  const probe = spawnSync(hostPython, ['-m', 'pip', '--version'], { encoding: 'utf8', timeout: 10_000 });
  return {
    label: 'pip install -r requirements.txt -t .',
    // --target installs beside the code (on FC's PYTHONPATH), outside the externally managed system Python.
    command: [python, '-m', 'pip', 'install', '--disable-pip-version-check', '--no-input'].concat([
      '--target',
      '/code',
      '-r',
      'requirements.txt',
    ]),
    missing:
      probe.status === 0
        ? undefined
        : `${python} -m pip is not available on this machine (apt-get install python3-pip)`,
  };
}

const mavenStep = (): BuildStep => ({
  label: 'mvn package',
  command: ['mvn', '-B', '--no-transfer-progress', '-Dstyle.color=never', '-DskipTests', 'package'],
  missing: tool('mvn', 'apt-get install maven'),
  collectsJar: true,
});

const goStep = (output: string): BuildStep => ({
  label: `go build -o ${output}`,
  command: ['go', 'build', '-trimpath', '-o', output, '.'],
  env: { CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' },
  missing: tool('go', 'apt-get install golang-go'),
});

const composerStep = (): BuildStep => ({
  label: 'composer install --no-dev',
  command: ['composer', 'install', '--no-dev', '--no-interaction', '--no-progress', '--optimize-autoloader'],
  missing: tool('composer', 'see https://getcomposer.org/download/, or install vendor/ yourself'),
});

/** A composer.json needs `composer install`, unless composer is missing here and vendor/ is already there. */
const needsComposer = (dir: string) =>
  has(dir, 'composer.json') && (findBinary('composer') !== undefined || !has(dir, 'vendor'));

function scriptStep(dir: string): BuildStep {
  let executable = true;
  try {
    accessSync(join(dir, 'build.sh'), constants.X_OK);
  } catch {
    executable = false;
  }
  return { label: './build.sh', command: executable ? ['./build.sh'] : ['/bin/sh', 'build.sh'] };
}

/** The steps for a function whose code is in `dir`: its dependency manifests, by runtime family. */
export function planBuild(dir: string, runtime: string, handler: string): BuildPlan {
  const definition = definitionOf(runtime);
  const interpreter = interpreterOf(definition, runtime, handler);
  const plan: BuildPlan = {
    steps: [],
    mounts: [...(definition?.mounts ?? []), ...interpreterMount(interpreter, definition)],
    interpreter,
    interpreterDir: interpreter && dirname(interpreter),
  };
  const family = runtimeFamily(runtime);
  const python = family === 'python' && interpreter ? interpreter : '/usr/bin/python3';
  const mount = plan.mounts.find((m) => python.startsWith(`${m.sandboxPath}/`));
  const hostPython = mount ? mount.hostPath + python.slice(mount.sandboxPath.length) : python;
  const steps = plan.steps;
  if (family === 'nodejs' && has(dir, 'package.json') && hasNodeDependencies(dir)) steps.push(npmStep(dir));
  if (family === 'python' && has(dir, 'requirements.txt')) steps.push(pipStep(python, hostPython));
  if (family === 'java' && has(dir, 'pom.xml')) steps.push(mavenStep());
  if (family === 'go' && has(dir, 'go.mod')) steps.push(goStep(handler || 'main'));
  if (family === 'php' && needsComposer(dir)) steps.push(composerStep());
  if (family === 'custom') {
    if (has(dir, 'build.sh')) return { ...plan, steps: [scriptStep(dir)] };
    if (has(dir, 'go.mod')) steps.push(goStep('bootstrap'));
    if (has(dir, 'pom.xml')) steps.push(mavenStep());
    if (has(dir, 'package.json') && hasNodeDependencies(dir)) steps.push(npmStep(dir));
    if (has(dir, 'requirements.txt')) steps.push(pipStep(python, hostPython));
    if (needsComposer(dir)) steps.push(composerStep());
  }
  return plan;
}
