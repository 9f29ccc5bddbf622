import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { buildIsolation, runBuildCommand } from '../../sandbox/index.js';
import type { Project, ProjectFunction } from '../template/index.js';
import { copyTree } from './copy.js';
import { isPackageFile } from './freshness.js';
import { BuildLog } from './log.js';
import {
  BuildError,
  type BuildSettings,
  buildEnv,
  buildPaths,
  CACHE_MOUNT,
  type Stamp,
  seconds,
} from './paths.js';
import { type BuildStep, planBuild, runtimeFamily } from './plan.js';

/** What one function's build did. */
export interface FunctionBuild {
  name: string;
  built: boolean;
  seconds: number;
  steps: { label: string; seconds: number }[];
  dir?: string;
}

/** Builds every function of the project that has something to build, one after the other; throws on the first failure. */
export async function buildProject(project: Project, settings: BuildSettings): Promise<FunctionBuild[]> {
  const isolation = await buildIsolation(settings.mode);
  settings.say(`Building in a ${isolation.description}.`);
  // Made before any build starts: creating it later would change the project folder after the build began.
  mkdirSync(join(dirname(project.file), '.kumo', 'build'), { recursive: true });
  const results: FunctionBuild[] = [];
  for (const service of project.services) {
    for (const fn of service.functions) {
      if (!fn.codeDir) continue;
      if (isPackageFile(fn.codeDir)) {
        settings.say(
          `${service.serviceName}/${fn.functionName}: ${fn.codeDir} is a built package: nothing to build`,
        );
        continue;
      }
      results.push(await buildFunction(project, service.serviceName, fn, settings));
    }
  }
  return results;
}

async function buildFunction(
  project: Project,
  serviceName: string,
  fn: ProjectFunction,
  settings: BuildSettings,
): Promise<FunctionBuild> {
  const name = `${serviceName}/${fn.functionName}`;
  const source = fn.codeDir ?? '';
  const runtime = String(fn.config.runtime ?? '');
  const paths = buildPaths(project, serviceName, fn.functionName);
  if (!statSync(source, { throwIfNoEntry: false })?.isDirectory())
    throw new BuildError(`${name}: code folder ${source} does not exist`);
  const plan = planBuild(source, runtime, String(fn.config.handler ?? ''));
  if (plan.steps.length === 0) {
    // An old build must not shadow the source at deploy time once there is nothing to build any more.
    rmSync(paths.dir, { recursive: true, force: true });
    rmSync(paths.stamp, { force: true });
    settings.say(`· ${name} (${runtime}): nothing to build (no dependency manifest or build.sh)`);
    return { name, built: false, seconds: 0, steps: [] };
  }
  for (const step of plan.steps) {
    if (step.missing) throw new BuildError(`${name}: cannot run \`${step.label}\`: ${step.missing}`);
  }
  settings.say(`▸ ${name} (${runtime})`);
  const started = Date.now();
  const work = `${paths.dir}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(dirname(work), { recursive: true });
  mkdirSync(settings.cacheDir, { recursive: true });
  copySource(source, work, dirname(paths.root));
  const log = new BuildLog(paths.log);
  const steps: FunctionBuild['steps'] = [];
  let artifact: string | undefined;
  try {
    for (const step of plan.steps) {
      steps.push({ label: step.label, seconds: await runStep(name, step, work, plan, settings, log) });
      if (!step.collectsJar) continue;
      // A Java runtime's code package is the jar itself, as on FC; a custom runtime's bootstrap runs it.
      const jar = collectJar(name, work, runtimeFamily(runtime) !== 'java');
      if (runtimeFamily(runtime) === 'java') artifact = jar;
    }
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  } finally {
    log.close();
  }
  rmSync(paths.dir, { recursive: true, force: true });
  renameSync(work, paths.dir);
  const stamp: Stamp = { startedAt: started, runtime, steps: steps.map((s) => s.label), artifact };
  writeFileSync(paths.stamp, `${JSON.stringify(stamp, null, 2)}\n`);
  const total = seconds(started);
  settings.say(`✓ ${name} built in ${total} s → ${relative(process.cwd(), paths.dir) || '.'}`);
  return { name, built: true, seconds: total, steps, dir: paths.dir };
}

async function runStep(
  name: string,
  step: BuildStep,
  work: string,
  plan: ReturnType<typeof planBuild>,
  settings: BuildSettings,
  log: BuildLog,
): Promise<number> {
  settings.say(`  $ ${step.label}`);
  log.note(`$ ${step.command.join(' ')}`);
  const started = Date.now();
  const result = await runBuildCommand({
    command: step.command,
    cwd: '/code',
    writable: [
      { hostPath: work, sandboxPath: '/code' },
      { hostPath: settings.cacheDir, sandboxPath: CACHE_MOUNT },
    ],
    readOnly: plan.mounts,
    env: { ...buildEnv(plan.interpreterDir), ...step.env },
    timeoutMs: settings.timeoutMs,
    output: (chunk) => log.write(chunk),
    mode: settings.mode,
  });
  const took = seconds(started);
  if (result.code === 0) {
    settings.say(`  ✓ ${step.label} (${took} s)`);
    return took;
  }
  const why = result.timedOut
    ? `timed out after ${Math.round(settings.timeoutMs / 1000)} s and was stopped (raise it with --timeout)`
    : result.code === null
      ? `was killed by ${result.signal ?? 'a signal'}`
      : `exited with code ${result.code}`;
  const tail = log.tail().replace(/^/gm, '    ');
  throw new BuildError(
    `${name}: build step \`${step.label}\` ${why} after ${took} s${tail ? `; its last lines:\n${tail}` : ''}\n` +
      `  full log: ${relative(process.cwd(), log.file)}${log.truncated ? ' (cut at 1 MiB)' : ''}`,
  );
}

/** Copies the function's code into the build folder, without Kumo's own `.kumo` folder or `.git`. */
function copySource(source: string, work: string, kumoDir: string): void {
  copyTree(source, work, [join(source, '.kumo'), join(source, '.git'), kumoDir]);
}

/**
 * The jar `mvn package` made (the shaded one when the pom makes one: the largest, never `original-*`); a custom
 * runtime keeps only it under `target/`. Returns its path relative to the build folder.
 */
function collectJar(name: string, work: string, pruneTarget: boolean): string {
  const target = join(work, 'target');
  const jars = existsSync(target)
    ? readdirSync(target, { withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith('.jar'))
        .map((e) => e.name)
        .filter((f) => !/^original-|-(sources|javadoc|tests)\.jar$/.test(f))
    : [];
  const size = (jar: string) => lstatSync(join(target, jar)).size;
  const jar = jars.sort((a, b) => size(b) - size(a))[0];
  if (!jar) throw new BuildError(`${name}: \`mvn package\` made no jar in target/`);
  if (pruneTarget) {
    for (const entry of readdirSync(target)) {
      if (entry !== jar) rmSync(join(target, entry), { recursive: true, force: true });
    }
  }
  return `target/${jar}`;
}
