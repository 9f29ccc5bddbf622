import { CommanderError } from 'commander';
import { BuildError } from './build/index.js';
import { FcClientError, ServerUnreachableError } from './client.js';
import { TemplateError } from './template/index.js';

/** The CLI's exit codes (docs/cli.md): 0 ok, 1 a function (or build/action) failed, 2 usage, 3 server/API. */
export const EXIT = { ok: 0, failed: 1, usage: 2, server: 3 } as const;

/** A mistake in the command line or the template: nothing was sent to the server. Exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly hint?: string,
    readonly code = 'InvalidUsage',
  ) {
    super(message);
  }
}

/** An error that already knows its code, hint and exit code (e.g. a deploy that stopped part-way). */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number,
    readonly hint?: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

/** What the error printer shows for an error: `kumo: <code>: <message>`, detail lines, a hint, an exit code. */
export interface Described {
  code: string;
  message: string;
  exitCode: number;
  hint?: string;
  details: string[];
}

/** Hints for FC error codes whose usual fix is a kumo command. */
const API_HINTS: Record<string, string> = {
  ServiceNotEmpty: '`kumo rm -r <service>` deletes the service together with its functions',
  ServiceNotFound: '`kumo ls` lists the services; `kumo deploy` creates the ones a template describes',
  FunctionNotFound: '`kumo ls <service>` lists its functions',
  InvalidAccessKeyId:
    'the key does not belong to this server: check KUMO_ACCESS_KEY_ID, `kumo config`, or --data-dir',
  SignatureNotMatch: 'check KUMO_ACCESS_KEY_SECRET (or `kumo config`) for this server',
};

export function describeError(error: unknown): Described {
  if (error instanceof CliError) {
    const { code, message, exitCode, hint, details } = error;
    return { code, message, exitCode, hint, details };
  }
  if (error instanceof FcClientError) {
    return {
      code: error.code,
      message: error.detail,
      exitCode: EXIT.server,
      hint: API_HINTS[error.code],
      details: [],
    };
  }
  if (error instanceof ServerUnreachableError) {
    return {
      code: 'ServerNotRunning',
      message: error.message,
      exitCode: EXIT.server,
      hint: 'start it with `kumo serve` (or point --endpoint / KUMO_ENDPOINT at a running Kumo)',
      details: [],
    };
  }
  if (error instanceof UsageError) {
    return { code: error.code, message: error.message, exitCode: EXIT.usage, hint: error.hint, details: [] };
  }
  if (error instanceof TemplateError) {
    return { code: 'InvalidTemplate', message: error.message, exitCode: EXIT.usage, details: [] };
  }
  if (error instanceof BuildError) {
    return { code: 'BuildFailed', message: error.message, exitCode: EXIT.failed, details: [] };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'Error', message, exitCode: EXIT.failed, details: [] };
}

/** The one error printer of every command: `kumo: <code>: <message>` (+ details, + `hint: …`) on stderr. */
export function printError(error: unknown, stream: NodeJS.WriteStream = process.stderr): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message (and the help); only the exit code is ours.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  const d = describeError(error);
  const c = colours(stream);
  const lines = [`kumo: ${c.red(d.code)}: ${d.message}`, ...d.details.map((l) => `  ${l}`)];
  if (d.hint) lines.push(`${c.dim('hint:')} ${d.hint}`);
  stream.write(`${lines.join('\n')}\n`);
  return d.exitCode;
}

/** True when colour may be used on `stream`: a terminal, NO_COLOR unset, TERM not `dumb`. */
export function useColour(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

const paint = (on: boolean, code: number) => (text: string) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);

export function colours(stream: NodeJS.WriteStream = process.stdout) {
  const on = useColour(stream);
  return { green: paint(on, 32), red: paint(on, 31), yellow: paint(on, 33), dim: paint(on, 2) };
}

/** Progress lines (zipping, uploading, pulling) go to stderr, and only on a terminal. */
export function progressLine(stream: NodeJS.WriteStream = process.stderr): (line: string) => void {
  return stream.isTTY ? (line) => stream.write(`${colours(stream).dim(line)}\n`) : () => undefined;
}

/** `12.3 MB`, `512 KB`, `87 B`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

/** `kumo … | head` closes the pipe early: stop quietly instead of crashing with an EPIPE stack trace. */
export function exitQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(EXIT.ok);
      throw error;
    });
  }
}

/** Prints `value` as one JSON document on stdout (every `--json`). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
