const LF = 0x0a;
const CR = 0x0d;

/** A line as cut from the stream: its text and, when it was longer than the cap, how it was cut. */
export interface SplitLine {
  text: string;
  /** Its length in bytes as stored (after a cut, the kept part only). */
  bytes: number;
  truncated: boolean;
}

/**
 * Splits a byte stream into lines at `\n` (a `\r` before it is dropped) without ever holding more
 * than `maxLineBytes` of one line: a longer line is handed on as soon as it reaches the cap, marked truncated, and
 * the rest of it up to the next line break is discarded as it arrives. A function that writes gigabytes without
 * a newline costs Kumo at most one cap of memory. A lone `\r` stays inside its line, as on FC: FC's Node.js agent
 * turns the `\n` of a multi-line message into `\r` precisely so that it stays one log entry.
 */
export class LineSplitter {
  readonly #parts: Buffer[] = [];
  #bytes = 0;
  /** The current line was already cut and handed on: drop what follows until its end. */
  #discarding = false;

  constructor(
    readonly maxLineBytes: number,
    readonly onLine: (line: SplitLine) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const end = chunk.indexOf(LF, start);
      if (end === -1) {
        this.#take(chunk.subarray(start));
        return;
      }
      this.#take(chunk.subarray(start, end));
      this.#endLine();
      start = end + 1;
    }
  }

  /**
   * Discards a chunk without building its lines (the caller drops them all anyway) and returns how many line
   * breaks it had. The line it ends in the middle of is discarded up to its end too.
   */
  skip(chunk: Buffer): number {
    const breaks = countLineFeeds(chunk);
    this.#parts.length = 0;
    this.#bytes = 0;
    this.#discarding = chunk.length > 0 && chunk[chunk.length - 1] !== LF;
    return breaks;
  }

  /** The stream ended: a last line without a line break is still a line. */
  end(): void {
    if (this.#bytes > 0) this.#endLine();
    this.#discarding = false;
  }

  #take(piece: Buffer): void {
    if (this.#discarding || piece.length === 0) return;
    const room = this.maxLineBytes - this.#bytes;
    if (piece.length <= room) {
      this.#parts.push(piece);
      this.#bytes += piece.length; // exactly full is not cut yet: the next byte may be the line break
      return;
    }
    // Cut on a character boundary so the kept part stays valid UTF-8.
    let cut = room;
    while (cut > 0 && ((piece[cut] ?? 0) & 0xc0) === 0x80) cut--;
    this.#parts.push(piece.subarray(0, cut));
    this.#bytes += cut;
    this.#emit(true);
    this.#discarding = true;
  }

  #endLine(): void {
    if (this.#discarding) {
      this.#discarding = false;
      return;
    }
    const last = this.#parts[this.#parts.length - 1];
    if (last && last[last.length - 1] === CR) {
      this.#parts[this.#parts.length - 1] = last.subarray(0, last.length - 1);
      this.#bytes--;
    }
    this.#emit(false);
  }

  #emit(truncated: boolean): void {
    // Copy out of the chunk: a subarray would keep the whole (64 KiB) chunk alive for as long as the line lives.
    const text = Buffer.concat(this.#parts, this.#bytes).toString('utf8');
    const bytes = this.#bytes;
    this.#parts.length = 0;
    this.#bytes = 0;
    this.onLine({ text, bytes, truncated });
  }
}

/**
 * Line feeds in a chunk: `indexOf` (native) for ordinary lines; a plain loop for the rest of the chunk once lines
 * turn out to be very short (a flood of empty lines), where one native call per line costs more than the loop.
 */
function countLineFeeds(chunk: Buffer): number {
  let count = 0;
  let at = chunk.indexOf(LF);
  while (at !== -1) {
    count++;
    if (count % 1024 === 0 && at < count * 16) {
      for (let i = at + 1; i < chunk.length; i++) if (chunk[i] === LF) count++;
      return count;
    }
    at = chunk.indexOf(LF, at + 1);
  }
  return count;
}
