import type { Command } from 'commander';
import { type ConnectionFlags, connect } from './connection.js';

interface ListOptions extends ConnectionFlags {
  json?: boolean;
}

/** Reads every page of a list call. */
export async function listAll<T>(
  client: ReturnType<typeof connect>,
  path: string,
  key: string,
): Promise<T[]> {
  const items: T[] = [];
  let nextToken: string | undefined;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await client.json<Record<string, unknown>>(
      'GET',
      `${path}${nextToken ? `${sep}nextToken=${nextToken}` : ''}`,
    );
    items.push(...((page[key] as T[]) ?? []));
    nextToken = page.nextToken as string | undefined;
  } while (nextToken);
  return items;
}

export function registerResourceCommands(program: Command): void {
  program
    .command('ls [service]')
    .description('list services, or the functions (and triggers) of one service')
    .option('--json', 'print JSON')
    .option('--endpoint <url>', 'Kumo endpoint (env KUMO_ENDPOINT)')
    .option('--data-dir <dir>', 'a local server data dir to read credentials from')
    .action(async (service: string | undefined, options: ListOptions) => {
      const client = connect(options);
      if (!service) {
        const services = await listAll<{ serviceName: string; description?: string }>(
          client,
          '/services',
          'services',
        );
        if (options.json) return void process.stdout.write(`${JSON.stringify(services, null, 2)}\n`);
        for (const s of services)
          process.stdout.write(`${s.serviceName}${s.description ? `  ${s.description}` : ''}\n`);
        return;
      }
      const functions = await listAll<{ functionName: string; runtime: string; memorySize: number }>(
        client,
        `/services/${service}/functions`,
        'functions',
      );
      const rows = [];
      for (const f of functions) {
        const triggers = await listAll<{ triggerName: string; triggerType: string }>(
          client,
          `/services/${service}/functions/${f.functionName}/triggers`,
          'triggers',
        );
        rows.push({ ...f, triggers });
      }
      if (options.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      for (const f of rows) {
        const triggers = f.triggers.map((t) => `${t.triggerName}(${t.triggerType})`).join(' ');
        process.stdout.write(
          `${f.functionName.padEnd(24)} ${f.runtime.padEnd(14)} ${String(f.memorySize).padStart(5)} MB  ${triggers}\n`,
        );
      }
    });

  program
    .command('rm <service[/function]>')
    .description('delete a function (and its triggers), or a whole service with -r')
    .option('-r, --recursive', 'delete a service together with its functions')
    .option('--endpoint <url>', 'Kumo endpoint (env KUMO_ENDPOINT)')
    .option('--data-dir <dir>', 'a local server data dir to read credentials from')
    .action(async (target: string, options: ConnectionFlags & { recursive?: boolean }) => {
      const client = connect(options);
      const [service, fn] = target.split('/');
      if (fn) {
        await client.json('DELETE', `/services/${service}/functions/${fn}`);
        process.stdout.write(`deleted function ${service}/${fn}\n`);
        return;
      }
      if (options.recursive) {
        for (const f of await listAll<{ functionName: string }>(
          client,
          `/services/${service}/functions`,
          'functions',
        )) {
          await client.json('DELETE', `/services/${service}/functions/${f.functionName}`);
          process.stdout.write(`deleted function ${service}/${f.functionName}\n`);
        }
      }
      await client.json('DELETE', `/services/${service}`);
      process.stdout.write(`deleted service ${service}\n`);
    });
}
