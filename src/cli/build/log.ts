import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** The most a build log keeps on disk: a build printing without end must not fill the disk. */
export const LOG_LIMIT_BYTES = 1024 * 1024;
const TAIL_BYTES = 16 * 1024;

/**
 * A build's output: written to a file up to `LOG_LIMIT_BYTES` (then one line saying it was cut), and its last
 * 16 KB kept in memory for the error message.
 */
export class BuildLog {
  readonly file: string;
  readonly #fd: number;
  readonly #limit: number;
  #written = 0;
  #truncated = false;
  #tail = Buffer.alloc(0);

  constructor(file: string, limit = LOG_LIMIT_BYTES) {
    mkdirSync(dirname(file), { recursive: true });
    this.file = file;
    this.#limit = limit;
    this.#fd = openSync(file, 'w');
  }

  /** A heading line of Kumo's own (`$ npm ci`), always written. */
  note(line: string): void {
    this.#tail = Buffer.concat([this.#tail, Buffer.from(`${line}\n`)]).subarray(-TAIL_BYTES);
    writeSync(this.#fd, `${line}\n`);
  }

  write(chunk: Buffer): void {
    this.#tail = Buffer.concat([this.#tail, chunk]).subarray(-TAIL_BYTES);
    if (this.#truncated) return;
    const room = this.#limit - this.#written;
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
    writeSync(this.#fd, part);
    this.#written += part.length;
    if (part.length < chunk.length) {
      this.#truncated = true;
      writeSync(this.#fd, `\n[kumo: log cut at ${this.#limit} bytes; the rest was not kept]\n`);
    }
  }

  /** The last `lines` lines of output, for an error message. */
  tail(lines = 20): string {
    const text = this.#tail.toString('utf8').replace(/\r/g, '');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  }

  get truncated(): boolean {
    return this.#truncated;
  }

  close(): void {
    closeSync(this.#fd);
  }
}
