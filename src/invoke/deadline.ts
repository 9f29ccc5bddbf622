/**
 * The part of an AbortSignal undici's `request()` uses (`aborted`, `reason`, one `abort` listener), aborted when
 * the call's time is up. An AbortController costs an EventTarget, its symbols and a listener registry per call on
 * the hot path; this is one small object and one timer.
 */
export class CallDeadline {
  aborted = false;
  reason: unknown = undefined;
  #listener: (() => void) | undefined;
  readonly #timer: NodeJS.Timeout;

  constructor(ms: number) {
    this.#timer = setTimeout(() => this.#abort(), ms);
  }

  /** Undici checks that a signal has `on` (an EventEmitter) or `addEventListener`. */
  on(event: string, listener: () => void): this {
    return this.once(event, listener);
  }

  once(event: string, listener: () => void): this {
    if (event === 'abort') this.#listener = listener;
    return this;
  }

  addListener(event: string, listener: () => void): this {
    return this.once(event, listener);
  }

  removeListener(event: string, listener: () => void): this {
    if (event === 'abort' && this.#listener === listener) this.#listener = undefined;
    return this;
  }

  /** The call ended in time. */
  clear(): void {
    clearTimeout(this.#timer);
    this.#listener = undefined;
  }

  #abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DOMException('This operation was aborted', 'AbortError');
    const listener = this.#listener;
    this.#listener = undefined;
    listener?.();
  }
}
