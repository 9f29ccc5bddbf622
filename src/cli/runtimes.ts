import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import {
  createRuntimeRegistry,
  defaultRuntimesDir,
  installedReleases,
  installNode,
  NODE_RELEASES,
  NODE_RUNTIMES,
  NodeReleases,
  registryUrl,
} from '../runtimes/index.js';
import { UsageError } from './output.js';

/** `kumo runtimes install|ls`: the shared runtimes cache (Node.js releases for `nodejs<major>`). */
export function registerRuntimesCommands(program: Command): void {
  const runtimes = program
    .command('runtimes')
    .description(
      'the Node.js releases nodejs4.4, nodejs6, nodejs8 … nodejs20 run, kept in a cache shared by every Kumo',
    );

  runtimes
    .command('install <runtime...>')
    .description(
      'download and verify the Node.js release of each runtime (e.g. nodejs14) ahead of its first use',
    )
    .option('--registry <url>', 'npm registry (default: npm_config_registry, else registry.npmjs.org)')
    .option('--quiet', 'say only what is downloaded (for setup scripts)')
    .action(async (names: string[], options: { registry?: string; quiet?: boolean }) => {
      const unknown = names.filter((name) => !NODE_RUNTIMES.includes(name));
      if (unknown.length > 0) {
        throw new UsageError(
          `unknown runtime ${unknown.join(', ')}: choose among ${NODE_RUNTIMES.join(', ')}`,
        );
      }
      const releases = new NodeReleases({ dir: cacheDir() });
      for (const name of names) {
        const serving = releases.serving(name);
        if (serving.kind === 'host') {
          if (!options.quiet)
            process.stdout.write(
              `${name}: runs the Node.js running Kumo (v${serving.version}), nothing to install\n`,
            );
          continue;
        }
        const version = NODE_RELEASES[name] ?? '';
        const log = (line: string) => process.stdout.write(`${name}: ${line}\n`);
        const registry = options.registry ?? loadConfig(process.env).runtimesRegistry;
        const installed = await installNode(version, { dir: releases.dir, registry, log });
        if (!installed.downloaded && !options.quiet)
          log(`Node.js v${version} is already installed in ${installed.dir}`);
      }
    });

  runtimes
    .command('ls')
    .description('show what each runtime name runs here and which releases the cache holds')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const config = loadConfig(process.env);
      const dir = cacheDir();
      const registry = createRuntimeRegistry({}, { dir, offline: config.runtimesOffline });
      const rows = registry.describe().filter((row) => NODE_RUNTIMES.includes(row.name) || row.substitution);
      const installed = await installedReleases(dir);
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ dir, registry: registryUrl(), installed, runtimes: rows }, null, 2)}\n`,
        );
        return;
      }
      process.stdout.write(
        `Runtimes cache: ${dir}\nInstalled: ${installed.map((v) => `v${v}`).join(', ') || 'none'}\n\n`,
      );
      for (const row of rows) {
        process.stdout.write(`  ${row.name.padEnd(12)} ${row.interpreter ?? ''}\n`);
        if (row.substitution) process.stdout.write(`  ${''.padEnd(12)} ! ${row.substitution}\n`);
      }
    });
}

function cacheDir(): string {
  return loadConfig(process.env).runtimesDir ?? defaultRuntimesDir();
}
