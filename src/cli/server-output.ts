import { type Logger, pino } from 'pino';

export type LogFormat = 'pretty' | 'json';

/** `--log-format` wins; otherwise lines for people on a terminal, JSON lines for a pipe, a file or a journal. */
export function chooseLogFormat(flag: string | undefined, isTTY: boolean): LogFormat {
  if (flag === 'pretty' || flag === 'json') return flag;
  if (flag !== undefined) throw new Error(`--log-format must be pretty or json, not '${flag}'`);
  return isTTY ? 'pretty' : 'json';
}

interface Sink {
  write(text: string): unknown;
}

/** The server's logger: pino JSON lines as they are, or each line rewritten for a person. */
export function serverLogger(format: LogFormat, level: string, out: Sink, color: boolean): Logger {
  if (format === 'json') return pino({ level }, out);
  return pino(
    { level },
    {
      write(line: string) {
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          out.write(line);
          return;
        }
        out.write(`${prettyLine(entry, color)}\n`);
      },
    },
  );
}

const LEVELS: Record<number, [string, string]> = {
  10: ['TRACE', '90'],
  20: ['DEBUG', '90'],
  30: ['INFO ', '32'],
  40: ['WARN ', '33'],
  50: ['ERROR', '31'],
  60: ['FATAL', '35'],
};
/** Fields every line has, or that the line's text already says. */
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'event']);
const VALUE_CHARS_MAX = 300;

/** One pino entry as one line for a person: time, level, what happened. */
export function prettyLine(entry: Record<string, unknown>, color: boolean): string {
  const time = new Date(typeof entry.time === 'number' ? entry.time : Date.now());
  const clock = time.toTimeString().slice(0, 8);
  const [name, code] = LEVELS[entry.level as number] ?? ['INFO ', '32'];
  const level = color ? `\x1b[${code}m${name}\x1b[0m` : name;
  return `${clock} ${level} ${safe(describe(entry))}`;
}

function describe(e: Record<string, unknown>): string {
  const instance = `instance ${e.instanceId} of ${e.poolKey}`;
  switch (e.event) {
    case 'request': {
      const error = [e.errorCode, e.errorType].filter(Boolean).join(' ');
      return `${e.method} ${e.path} ${e.status} ${e.durationMs} ms  ${e.requestId}${error ? `  ${error}` : ''}`;
    }
    case 'timer':
      return `timer ${e.trigger} fired ${e.durationMs} ms  ${e.requestId}${e.errorType ? `  ${e.errorType}` : ''}`;
    case 'instance.start':
      return `${instance} started in ${e.durationMs} ms${e.provisioned ? ' (provisioned)' : ''}`;
    case 'instance.stop':
      return `${instance} stopped (${e.reason}) after ${duration(Number(e.ageMs))}`;
    case 'instance.crash': {
      if (e.reason === 'oom') return `${instance} was killed: out of memory`;
      const how = e.signal ? `killed by signal ${e.signal}` : `exited with code ${e.exitCode}`;
      return `${instance} crashed: ${how}`;
    }
    case 'instance.start_failed':
      return `${instance} failed to start after ${e.durationMs} ms: ${errorText(e.err)}`;
    default:
      return [String(e.msg ?? ''), ...fields(e)].join('  ');
  }
}

function fields(entry: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(entry)) {
    if (HIDDEN.has(key) || value === undefined) continue;
    const text = key === 'err' ? errorText(value) : typeof value === 'string' ? value : JSON.stringify(value);
    out.push(`${key}=${text.length > VALUE_CHARS_MAX ? `${text.slice(0, VALUE_CHARS_MAX)}…` : text}`);
  }
  return out;
}

function errorText(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err) return String(err.message);
  return String(err);
}

function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A hostile path or function output must not drive the terminal: control characters are shown escaped. */
function safe(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
