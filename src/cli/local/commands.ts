import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readTemplate } from '../template/index.js';
import { startWatching } from './dev.js';
import { type EmbeddedKumo, withEmbedded } from './embedded.js';
import { deployLocally, findTarget, type LocalOptions } from './session.js';
import { LogTail } from './tail.js';

interface InvokeOptions extends LocalOptions {
  event?: string;
  eventFile?: string;
  stdin?: boolean;
  json?: boolean;
}

interface StartOptions extends LocalOptions {
  watch?: boolean;
}

const out = (line: string) => process.stdout.write(`${line}\n`);

/** Options every `kumo local` command shares. */
function localOptions(command: Command): Command {
  return command
    .option('-t, --template <file>', 'template file (default: template.yml, template.yaml, s.yaml here)')
    .option('--build', 'run `kumo build` first (dependencies installed in the runtime sandbox)')
    .option('--timeout <seconds>', 'stop a build command or s.yaml action after this long (default 600)')
    .option('--sandbox <kind>', 'auto | bwrap | process (env KUMO_SANDBOX, default auto)');
}

export function registerLocalCommands(program: Command): void {
  const local = program
    .command('local')
    .description(
      'run the template in this folder on a throwaway Kumo inside this process: no server, no credentials',
    );

  localOptions(
    local
      .command('invoke [service/function]')
      .description('deploy the template to a temporary Kumo, invoke one function, print its logs and result'),
  )
    .option('-e, --event <event>', 'event payload')
    .option('-f, --event-file <file>', 'read the event from a file')
    .option('-s, --stdin', 'read the event from standard input')
    .option('--json', 'print {requestId, errorType, result, logs} as JSON')
    .action(async (target: string | undefined, options: InvokeOptions) => {
      const project = readTemplate(process.cwd(), options.template);
      const { service, fn } = findTarget(project, target);
      if (fn.triggers.some((trigger) => trigger.triggerType === 'http'))
        process.stderr.write(
          'kumo: note: this function has an HTTP trigger: `kumo local start` serves it at a URL to call\n',
        );
      const event = options.eventFile
        ? readFileSync(options.eventFile)
        : options.stdin
          ? readFileSync(0)
          : Buffer.from(options.event ?? '');
      await withEmbedded(options, async (kumo) => {
        await deployLocally(kumo, project, options);
        const response = await kumo.client.send(
          'POST',
          `/services/${service.serviceName}/functions/${fn.functionName}/invocations`,
          event,
          { 'x-fc-log-type': 'Tail' },
        );
        const logs = Buffer.from(response.headers['x-fc-log-result'] ?? '', 'base64').toString();
        if (response.status >= 300 || response.headers['x-fc-error-type']) process.exitCode = 1;
        if (options.json) {
          const requestId = response.headers['x-fc-request-id'];
          const errorType = response.headers['x-fc-error-type'];
          out(JSON.stringify({ requestId, errorType, result: response.body.toString(), logs }));
          return;
        }
        if (logs)
          out(`========= FC invoke Logs begin =========\n${logs}========= FC invoke Logs end =========\n`);
        out(`FC Invoke Result:\n${response.body.toString()}`);
      });
    });

  localOptions(
    local
      .command('start')
      .description(
        'deploy the template to a temporary Kumo, serve its HTTP triggers and follow the logs until Ctrl-C',
      ),
  )
    .option('-p, --port <port>', 'port for the temporary Kumo (default: any free port)')
    .option('-w, --watch', 'redeploy a function when its code or the template changes (= kumo dev)')
    .action((options: StartOptions) => start(options));

  localOptions(
    program
      .command('dev')
      .description('kumo local start --watch: redeploy on every save, follow the logs, print the HTTP URLs'),
  )
    .option('-p, --port <port>', 'port for the temporary Kumo (default: any free port)')
    .action((options: StartOptions) => start({ ...options, watch: true }));
}

async function start(options: StartOptions): Promise<void> {
  const project = readTemplate(process.cwd(), options.template);
  await withEmbedded(options, async (kumo) => {
    const result = await deployLocally(kumo, project, options);
    const tail = new LogTail(kumo.client, out);
    for (const service of project.services)
      for (const fn of service.functions) tail.follow(`${service.serviceName}/${fn.functionName}`);
    out('');
    out(`Kumo is running at ${kumo.server.url} (data in ${kumo.dataDir}, removed on exit).`);
    for (const url of result.urls) out(`HTTP trigger: ${url}`);
    printInvokeHint(kumo);
    if (options.watch) await startWatching(kumo, project, options, tail, out);
    out('Following the logs (Ctrl-C to stop).');
    // Runs until Ctrl-C or SIGTERM: withEmbedded's handler stops the server, removes the data dir and exits.
    await new Promise<never>(() => undefined);
  });
}

/** How another terminal reaches the temporary server: its URL and the key generated for this run. */
function printInvokeHint(kumo: EmbeddedKumo): void {
  const { accessKeyId, accessKeySecret, accountId } = kumo.server.credentials;
  out('From another terminal (this key lives only as long as this command):');
  out(
    `  KUMO_ENDPOINT=${kumo.server.url} KUMO_ACCESS_KEY_ID=${accessKeyId} ` +
      `KUMO_ACCESS_KEY_SECRET=${accessKeySecret} KUMO_ACCOUNT_ID=${accountId} kumo invoke <service>/<function> -e …`,
  );
}
