import type { Command } from 'commander';
import { buildProject, codePackager, runActions } from './build/index.js';
import { buildSettings } from './build-command.js';
import { type ConnectionFlags, connect } from './connection.js';
import { applyPlan, type DeployPlan, followImagePulls, planDeploy, planView } from './deploy/index.js';
import { colours, printJson, progressLine } from './output.js';
import { readTemplate } from './template/index.js';

export type { CodePackager, DeployResult } from './deploy/index.js';
export { deploy } from './deploy/index.js';

interface DeployOptions extends ConnectionFlags {
  template?: string;
  json?: boolean;
  build?: boolean;
  timeout?: string;
  dryRun?: boolean;
}

export function registerDeployCommand(program: Command): void {
  program
    .command('deploy')
    .description(
      'create or update services, functions, triggers and custom domains from template.yml or s.yaml',
    )
    .option(
      '-t, --template <file>',
      'template file (default: template.yml, template.yaml, s.yaml in this folder)',
    )
    .option('--endpoint <url>', 'Kumo endpoint (env KUMO_ENDPOINT, default http://127.0.0.1:8780)')
    .option('--data-dir <dir>', 'a local server data dir to read credentials from (default ./.kumo)')
    .option('--json', 'print the result (or with --dry-run the plan) as JSON')
    .option(
      '--dry-run',
      'validate and print the plan (create / update / unchanged per resource); write nothing',
    )
    .option('--build', 'run `kumo build` first (dependencies installed in the runtime sandbox)')
    .option('--timeout <seconds>', 'stop a build command or s.yaml action after this long (default 600)')
    .action(async (options: DeployOptions) => {
      const project = readTemplate(process.cwd(), options.template);
      const client = connect(options);
      const say = options.json ? () => undefined : (line: string) => process.stdout.write(`${line}\n`);
      // Build output goes to stderr under --json, so stdout stays one JSON document.
      const buildOutput = options.json ? (line: string) => process.stderr.write(`${line}\n`) : say;
      const progress = progressLine();
      const warn = (line: string) => process.stderr.write(`kumo: warning: ${line}\n`);
      if (options.dryRun) {
        const plan = await planDeploy(client, project, {
          code: codePackager(project, buildOutput, warn),
          progress,
        });
        if (options.json) return printJson({ plan: planView(plan) });
        return printPlan(plan, say);
      }
      const settings = buildSettings(project.file, options.timeout, buildOutput);
      await runActions(project, 'pre-deploy', settings);
      if (options.build) await buildProject(project, settings);
      const plan = await planDeploy(client, project, {
        code: codePackager(project, buildOutput, warn),
        progress,
      });
      const result = await applyPlan(client, plan, say);
      // Image pulls happen on the server after the deploy: followed on a terminal only (progress lines).
      if (process.stderr.isTTY) await followImagePulls(client, plan, progress);
      await runActions(project, 'post-deploy', settings);
      if (options.json) return printJson(result);
      const changed = result.resources.filter((r) => r.change !== 'unchanged').length;
      say(
        changed === 0
          ? 'Nothing changed: every resource already matches the template.'
          : `Done: ${changed} resource(s) created or updated.`,
      );
      for (const url of result.urls) say(`HTTP trigger: ${url}`);
    });
}

/** `+ function demo/fn: create`, `~ service demo: update (logConfig)`, `· trigger …: unchanged`. */
function printPlan(plan: DeployPlan, say: (line: string) => void): void {
  const c = colours(process.stdout);
  const marks = { create: c.green('+'), update: c.yellow('~'), unchanged: c.dim('·') };
  for (const step of plan.steps) {
    const fields = step.fields ? ` (${step.fields.join(', ')})` : '';
    say(`${marks[step.change]} ${step.kind} ${step.name}: ${step.change}${fields}`);
  }
  const changes = plan.steps.filter((s) => s.change !== 'unchanged').length;
  say(
    changes === 0
      ? 'Dry run: nothing to change.'
      : `Dry run: ${changes} resource(s) would be created or updated; nothing was written.`,
  );
}
