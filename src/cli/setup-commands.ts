import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { planBuild } from './build/index.js';
import { readTemplate } from './template/index.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

/** Where `kumo config` keeps connection settings (read by every client command after flags and env). */
export const configFile = (): string => process.env.KUMO_CONFIG ?? join(homedir(), '.kumo', 'config.json');

export function registerSetupCommands(program: Command): void {
  program
    .command('init [example] [folder]')
    .description('start a project from one of the bundled examples (no argument: list them)')
    .action((example: string | undefined, folder: string | undefined) => {
      const names = readdirSync(EXAMPLES).sort();
      if (!example) {
        process.stdout.write(`examples: ${names.join(', ')}\nuse: kumo init <example> [folder]\n`);
        return;
      }
      if (!names.includes(example))
        throw new Error(`no example '${example}': choose one of ${names.join(', ')}`);
      const target = resolve(folder ?? example);
      if (existsSync(target) && readdirSync(target).length > 0)
        throw new Error(`${target} exists and is not empty`);
      // Not what a run of the example in the repo left behind (a local server's data, builds).
      const skip = join(EXAMPLES, example, '.kumo');
      cpSync(join(EXAMPLES, example), target, {
        recursive: true,
        filter: (path) => path !== skip && !path.startsWith(`${skip}/`),
      });
      const build = needsBuild(target) ? ' --build' : '';
      const cd = target === process.cwd() ? '' : `cd ${folder ?? example} && `;
      const fn = onlyFunction(target);
      const [served, local] = fn?.http
        ? ['   (it prints the HTTP trigger URL)', 'kumo local start']
        : fn
          ? [` && kumo invoke ${fn.target} -e Kumo`, 'kumo local invoke -e Kumo']
          : ['', 'kumo local start'];
      process.stdout.write(
        `created ${target} from examples/${example}\n` +
          `next, with \`kumo serve\` running: ${cd}kumo deploy${build}${served}\n` +
          `  or with no server: ${cd}${local}${build}\n`,
      );
    });

  program
    .command('config')
    .description(`save connection settings to ${configFile()} (mode 0600)`)
    .requiredOption('--endpoint <url>', 'Kumo endpoint, e.g. http://127.0.0.1:8780')
    .requiredOption('--access-key-id <id>', 'access key id')
    .requiredOption('--access-key-secret <secret>', 'access key secret')
    .option('--account-id <id>', 'account id', '0')
    .action(
      (options: { endpoint: string; accessKeyId: string; accessKeySecret: string; accountId: string }) => {
        const file = configFile();
        mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
        writeFileSync(file, `${JSON.stringify(options, null, 2)}\n`, { mode: 0o600 });
        process.stdout.write(`saved ${file}\n`);
      },
    );
}

/** The project's only function (what the hint calls), if it has exactly one. */
function onlyFunction(dir: string): { target: string; http: boolean } | undefined {
  try {
    const all = readTemplate(dir).services.flatMap((s) =>
      s.functions.map((f) => ({
        target: `${s.serviceName}/${f.functionName}`,
        http: f.triggers.some((t) => t.triggerType === 'http'),
      })),
    );
    return all.length === 1 ? all[0] : undefined;
  } catch {
    return undefined;
  }
}

/** True when a function of the project in `dir` has something for `kumo build` to do (dependencies, build.sh). */
function needsBuild(dir: string): boolean {
  try {
    return readTemplate(dir).services.some((service) =>
      service.functions.some(
        (fn) =>
          fn.codeDir !== undefined &&
          planBuild(fn.codeDir, String(fn.config.runtime ?? ''), String(fn.config.handler ?? '')).steps
            .length > 0,
      ),
    );
  } catch {
    return false;
  }
}
