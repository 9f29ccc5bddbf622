import { join } from 'node:path';
import type { Command } from 'commander';
import { type BuildSettings, buildProject } from './build/index.js';
import { UsageError } from './output.js';
import { readTemplate } from './template/index.js';

/** Default time one build command may take before it is stopped. */
export const DEFAULT_BUILD_TIMEOUT_S = 600;

/** The settings of a build from the command's options and the environment. */
export function buildSettings(
  projectFile: string,
  timeout: string | undefined,
  say: (line: string) => void,
): BuildSettings {
  const seconds = Number(timeout ?? DEFAULT_BUILD_TIMEOUT_S);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new UsageError(`--timeout must be a positive number of seconds`);
  return {
    timeoutMs: seconds * 1000,
    mode: process.env.KUMO_SANDBOX,
    cacheDir: process.env.KUMO_BUILD_CACHE || join(projectFile, '..', '.kumo', 'build', '.cache'),
    say,
  };
}

export function registerBuildCommand(program: Command): void {
  program
    .command('build')
    .description(
      "install each function's dependencies in its runtime's sandbox into .kumo/build/<service>/<function> " +
        '(npm, pip, Maven, go build, composer, build.sh); kumo deploy then uses the built folder',
    )
    .option(
      '-t, --template <file>',
      'template file (default: template.yml, template.yaml, s.yaml in this folder)',
    )
    .option(
      '--timeout <seconds>',
      `stop a build command after this long (default ${DEFAULT_BUILD_TIMEOUT_S})`,
    )
    .action(async (options: { template?: string; timeout?: string }) => {
      const project = readTemplate(process.cwd(), options.template);
      const say = (line: string) => process.stdout.write(`${line}\n`);
      const settings = buildSettings(project.file, options.timeout, say);
      const started = Date.now();
      const results = await buildProject(project, settings);
      const built = results.filter((r) => r.built).length;
      say(
        `Built ${built} of ${results.length} function(s) in ${Math.round((Date.now() - started) / 100) / 10} s.`,
      );
    });
}
