import { LIMITS } from '../model/limits.js';

/** The last this-many bytes of a request's log are kept in memory, enough for any `X-Fc-Log-Result`. */
const TAIL_WINDOW_BYTES = 2 * LIMITS.logResultBytesMax;

/**
 * One request's log while it runs: only its tail is kept in memory (for `X-Fc-Log-Result`), plus how much the
 * function logged in it and what was dropped over the per-call cap.
 */
export class RequestLog {
  #lines: string[] = [];
  #sizes: number[] = [];
  #first = 0;
  #bytes = 0;
  /** Cost of the lines of this request accepted so far (see `LINE_OVERHEAD_BYTES`). */
  logged = 0;
  droppedLines = 0;
  droppedBytes = 0;

  add(message: string, bytes = Buffer.byteLength(message)): void {
    this.#lines.push(message);
    this.#sizes.push(bytes + 1);
    this.#bytes += bytes + 1;
    while (this.#bytes - (this.#sizes[this.#first] ?? 0) >= TAIL_WINDOW_BYTES) {
      this.#bytes -= this.#sizes[this.#first] ?? 0;
      this.#first++;
    }
    if (this.#first > 1024 && this.#first * 2 > this.#lines.length) {
      this.#lines = this.#lines.slice(this.#first);
      this.#sizes = this.#sizes.slice(this.#first);
      this.#first = 0;
    }
  }

  /** The last `maxBytes` bytes of the request's log (whole lines where possible). */
  tail(maxBytes: number): string {
    const text = this.#lines
      .slice(this.#first)
      .map((line) => `${line}\n`)
      .join('');
    const bytes = Buffer.from(text);
    return bytes.length <= maxBytes ? text : bytes.subarray(bytes.length - maxBytes).toString();
  }
}
