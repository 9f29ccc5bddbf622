import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { createRuntimeRegistry } from '../runtimes/index.js';
import { describeSandboxChoice, detectSandbox } from '../sandbox/index.js';

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('show which sandbox and runtimes this machine can use, and why')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const config = loadConfig(process.env);
      const sandbox = await detectSandbox({ mode: config.sandbox, subnet: config.sandboxSubnet });
      const runtimes = createRuntimeRegistry().describe();
      await sandbox.close();
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ sandbox: { kind: sandbox.kind, reason: sandbox.reason }, runtimes }, null, 2)}\n`,
        );
        return;
      }
      process.stdout.write(`Sandbox: ${describeSandboxChoice(sandbox)}\n\nRuntimes:\n`);
      for (const runtime of runtimes) {
        process.stdout.write(
          `  ${runtime.name.padEnd(18)} ${runtime.available ? `ok (${runtime.interpreter})` : `unavailable: ${runtime.reason}`}\n`,
        );
      }
    });
}
