import { Command } from 'commander';
import { registerDoctorCommand } from './doctor.js';
import { registerInvokeCommand } from './invoke.js';
import { registerServeCommand } from './serve.js';

const program = new Command('kumo')
  .description('Kumo: a self-hosted Function Compute (FC 2016-08-15 API and programming model)')
  .showHelpAfterError();

registerServeCommand(program);
registerDoctorCommand(program);
registerInvokeCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`kumo: ${(error as Error).message}`);
  process.exitCode = 1;
}
