import type { Logger } from 'pino';
import type { KumoConfig } from '../config.js';
import type { KumoServer } from '../server.js';
import type { LogFormat } from './server-output.js';

/**
 * Prints what a person needs once the server listens (its URL, the sandbox in one short line, a generated
 * key): text on a terminal, JSON lines otherwise. Shown whatever the log level. Returns how to print more.
 */
export function printBanner(
  format: LogFormat,
  server: KumoServer,
  config: KumoConfig,
  logger: Logger,
): (line: string) => void {
  const listening = `Kumo is listening on ${server.url} (account ${server.credentials.accountId}, region ${config.region})`;
  const sandbox = `Sandbox: ${sandboxSummary(server.sandbox)}`;
  const consoleLine = `Console: ${server.url}/ (sign in with the access key pair)`;
  const { credentials } = server;
  if (format === 'json') {
    const banner = logger.child({}, { level: 'info' });
    banner.info({ event: 'listening', url: server.url, accountId: credentials.accountId }, listening);
    banner.info({ event: 'sandbox', sandbox: server.sandbox.kind, reason: server.sandbox.reason }, sandbox);
    banner.info({ event: 'console', url: `${server.url}/` }, consoleLine);
    if (credentials.generated) {
      // The same text as on a terminal, so a script reading a pipe finds the key as before.
      banner.info(
        { event: 'credentials' },
        `Generated an access key (saved in the data dir, mode 0600; shown only once): KUMO_ACCESS_KEY_ID=${credentials.accessKeyId} KUMO_ACCESS_KEY_SECRET=${credentials.accessKeySecret} `,
      );
    }
    return (line) => {
      if (line.trim() !== '') banner.info(line);
    };
  }
  const print = (line: string) => process.stdout.write(`${line}\n`);
  print(listening);
  print(sandbox);
  print(consoleLine);
  if (credentials.generated) {
    print('');
    print('Generated an access key for this server (saved in the data dir, mode 0600); shown only once:');
    print(`  KUMO_ACCESS_KEY_ID=${credentials.accessKeyId}`);
    print(`  KUMO_ACCESS_KEY_SECRET=${credentials.accessKeySecret}`);
  }
  print('');
  return print;
}

/** The sandbox in a few words; the whole description is in `kumo doctor` (and the JSON line's `reason`). */
export function sandboxSummary(sandbox: { kind: string; containerReason?: string }): string {
  const containers = sandbox.containerReason === undefined ? 'runc' : 'unavailable';
  if (sandbox.kind === 'process') {
    return `process — WARNING: instances are not isolated (\`kumo doctor\` says why); containers: ${containers}`;
  }
  return `${sandbox.kind} (namespaces, cgroup limits, seccomp); containers: ${containers}`;
}
