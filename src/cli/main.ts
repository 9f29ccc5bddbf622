import { Command } from 'commander';
import { registerBuildCommand } from './build-command.js';
import { registerDeployCommand } from './deploy.js';
import { registerDoctorCommand } from './doctor.js';
import { registerInstanceCommands } from './instances.js';
import { registerInvokeCommand } from './invoke.js';
import { registerLayerCommands } from './layers.js';
import { registerLogsCommand } from './logs.js';
import { registerNodesCommand } from './nodes.js';
import { registerReleaseCommands } from './releases.js';
import { registerResourceCommands } from './resources.js';
import { registerRuntimesCommands } from './runtimes.js';
import { registerServeCommand } from './serve.js';
import { registerSetupCommands } from './setup-commands.js';

const program = new Command('kumo')
  .description('Kumo: a self-hosted Function Compute (FC 2016-08-15 API and programming model)')
  .showHelpAfterError();

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
registerNodesCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`kumo: ${(error as Error).message}`);
  process.exitCode = 1;
}
