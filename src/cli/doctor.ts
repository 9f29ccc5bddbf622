import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { createRuntimeRegistry } from '../runtimes/index.js';
import { describeSandboxChoice, detectSandbox, parseCidrList, sweepLeftovers } from '../sandbox/index.js';
import { describeWorkers } from '../workers/index.js';

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('show which sandbox and runtimes this machine can use, and why')
    .option('--json', 'machine-readable output')
    .option(
      '--clean',
      'remove what Kumo processes that died left behind (netns, veths, cgroups, firewall, bundles)',
    )
    .action(async (options: { json?: boolean; clean?: boolean }) => {
      const config = loadConfig(process.env);
      const removed = options.clean
        ? await sweepLeftovers({ stateDir: join(resolve(config.dataDir), 'containers') })
        : undefined;
      const sandbox = await detectSandbox({
        mode: config.sandbox,
        subnet: config.sandboxSubnet,
        allowedCidrs: parseCidrList(config.instanceAllowedCidrs),
        otherSubnets: [config.containerSubnet],
      });
      const runtimes = createRuntimeRegistry(
        {},
        { dir: config.runtimesDir, offline: config.runtimesOffline },
      ).describe();
      await sandbox.close();
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ sandbox: { kind: sandbox.kind, reason: sandbox.reason }, runtimes, workers: describeWorkers(config), removed }, null, 2)}\n`,
        );
        return;
      }
      if (removed) {
        process.stdout.write(`Removed ${removed.length} leftover${removed.length === 1 ? '' : 's'}:\n`);
        for (const line of removed) process.stdout.write(`  ${line}\n`);
        process.stdout.write('\n');
      }
      process.stdout.write(`Sandbox: ${describeSandboxChoice(sandbox)}\n\n`);
      process.stdout.write(`Workers: ${describeWorkers(config).summary}\n\nRuntimes:\n`);
      for (const runtime of runtimes) {
        process.stdout.write(
          `  ${runtime.name.padEnd(18)} ${runtime.available ? `ok (${runtime.interpreter})` : `unavailable: ${runtime.reason}`}\n`,
        );
        if (runtime.substitution) process.stdout.write(`  ${''.padEnd(18)} ! ${runtime.substitution}\n`);
      }
    });
}
