import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerBuildCommand } from './build-command.js';
import { registerDeployCommand } from './deploy.js';
import { registerDoctorCommand } from './doctor.js';
import { registerInstanceCommands } from './instances.js';
import { registerInvokeCommand } from './invoke.js';
import { registerLayerCommands } from './layers.js';
import { registerLocalCommands } from './local/commands.js';
import { registerLogsCommand } from './logs.js';
import { registerNodesCommand } from './nodes.js';
import { exitQuietlyOnClosedPipe, printError } from './output.js';
import { registerReleaseCommands } from './releases.js';
import { registerResourceCommands } from './resources.js';
import { registerRuntimesCommands } from './runtimes.js';
import { registerServeCommand } from './serve.js';
import { registerSetupCommands } from './setup-commands.js';

exitQuietlyOnClosedPipe();

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command('kumo')
  .description('Kumo: a self-hosted Function Compute (FC 2016-08-15 API and programming model)')
  .version(version, '-V, --version', 'print the version of kumo')
  .showHelpAfterError()
  // Usage errors become exit code 2 through the one error printer (subcommands inherit this).
  .exitOverride();

registerServeCommand(program);
registerDoctorCommand(program);
registerInvokeCommand(program);
registerBuildCommand(program);
registerDeployCommand(program);
registerLogsCommand(program);
registerResourceCommands(program);
registerReleaseCommands(program);
registerLayerCommands(program);
registerSetupCommands(program);
registerRuntimesCommands(program);
registerInstanceCommands(program);
registerLocalCommands(program);
registerNodesCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Exit at once: a command that failed half-way (e.g. `kumo serve` on a busy port) may hold timers open.
  process.exit(printError(error));
}
