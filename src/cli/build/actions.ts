import { mkdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runBuildCommand } from '../../sandbox/index.js';
import type { Project, ProjectAction } from '../template/index.js';
import { BuildLog } from './log.js';
import { BuildError, type BuildSettings, buildEnv, buildPaths, CACHE_MOUNT, seconds } from './paths.js';

/**
 * Runs the project's s.yaml actions of one hook, entry by entry in template order, each in the folder it names,
 * in the build sandbox (that folder and the build cache writable, host network). Throws on the first failure.
 */
export async function runActions(
  project: Project,
  hook: ProjectAction['hook'],
  settings: BuildSettings,
): Promise<number> {
  let count = 0;
  for (const service of project.services) {
    for (const fn of service.functions) {
      const name = `${service.serviceName}/${fn.functionName}`;
      for (const action of fn.actions ?? []) {
        if (action.hook !== hook) continue;
        const paths = buildPaths(project, service.serviceName, fn.functionName);
        await runAction(name, action, paths, settings);
        count++;
      }
    }
  }
  return count;
}

async function runAction(
  name: string,
  action: ProjectAction,
  paths: ReturnType<typeof buildPaths>,
  settings: BuildSettings,
): Promise<void> {
  const where = relative(process.cwd(), action.path) || '.';
  const step = `${action.hook} action \`${action.run}\` (in ${where})`;
  if (!statSync(action.path, { throwIfNoEntry: false })?.isDirectory())
    throw new BuildError(`${name}: ${step}: the folder ${action.path} does not exist`);
  settings.say(`▸ ${name}: ${step}`);
  mkdirSync(settings.cacheDir, { recursive: true });
  const log = new BuildLog(join(paths.root, `${name.replace('/', '.')}.${action.hook}.log`));
  log.note(`$ ${action.run}`);
  const started = Date.now();
  const result = await runBuildCommand({
    command: ['/bin/sh', '-c', action.run],
    cwd: action.path,
    writable: [
      { hostPath: action.path, sandboxPath: action.path },
      { hostPath: settings.cacheDir, sandboxPath: CACHE_MOUNT },
    ],
    env: buildEnv(),
    timeoutMs: settings.timeoutMs,
    output: (chunk) => log.write(chunk),
    mode: settings.mode,
  }).finally(() => log.close());
  const took = seconds(started);
  if (result.code === 0) {
    const output = log
      .tail(10)
      .split('\n')
      .filter((line) => line !== `$ ${action.run}` && line !== '');
    for (const line of output) settings.say(`    ${line}`);
    settings.say(`  ✓ ${action.hook} action done (${took} s)`);
    return;
  }
  const why = result.timedOut
    ? `timed out after ${Math.round(settings.timeoutMs / 1000)} s and was stopped`
    : `exited with code ${result.code ?? result.signal}`;
  throw new BuildError(
    `${name}: ${step} ${why}; its last lines:\n${log.tail().replace(/^/gm, '    ')}\n  full log: ${relative(process.cwd(), log.file)}`,
  );
}
