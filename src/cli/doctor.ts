import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { createRuntimeRegistry } from '../runtimes/index.js';
import {
  BwrapSandbox,
  describeSandboxChoice,
  detectSandbox,
  parseCidrList,
  SERVE_PREWARM_DEFAULT,
  sweepLeftovers,
} from '../sandbox/index.js';
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
      // What `kumo serve` would pre-warm here (docs/prewarm.md); a running server's pools are in its /metrics.
      const pools = process.env.KUMO_PREWARM ?? SERVE_PREWARM_DEFAULT;
      const pooling = sandbox instanceof BwrapSandbox && sandbox.canStartGeneric;
      const prewarm = {
        pools: pools === '' || pools === '0' ? 'none' : pools,
        available: pooling,
        reason: pooling
          ? 'bwrap as root'
          : 'needs the bwrap sandbox, root and python3: instances start as usual',
      };
      await sandbox.close();
      if (options.json) {
        const report = {
          sandbox: { kind: sandbox.kind, reason: sandbox.reason },
          prewarm,
          workers: describeWorkers(config),
          runtimes,
          removed,
        };
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      if (removed) {
        process.stdout.write(`Removed ${removed.length} leftover${removed.length === 1 ? '' : 's'}:\n`);
        for (const line of removed) process.stdout.write(`  ${line}\n`);
        process.stdout.write('\n');
      }
      process.stdout.write(`Sandbox: ${describeSandboxChoice(sandbox)}\n\n`);
      process.stdout.write(`Workers: ${describeWorkers(config).summary}\n`);
      process.stdout.write(
        `Pre-warmed pools (kumo serve): ${prewarm.pools}; ${prewarm.available ? 'served' : 'not served'} here (${prewarm.reason}); ` +
          'live counts: kumo_prewarm_sandboxes on /metrics\n\nRuntimes:\n',
      );
      for (const runtime of runtimes) {
        process.stdout.write(
          `  ${runtime.name.padEnd(18)} ${runtime.available ? `ok (${runtime.interpreter})` : `unavailable: ${runtime.reason}`}\n`,
        );
        if (runtime.substitution) process.stdout.write(`  ${''.padEnd(18)} ! ${runtime.substitution}\n`);
      }
    });
}
