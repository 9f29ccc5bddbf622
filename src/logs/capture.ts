import type { Readable } from 'node:stream';
import {
  DEFAULT_LOG_LIMITS,
  formatBytes,
  LINE_OVERHEAD_BYTES,
  type LogLimits,
  TokenBucket,
} from './limits.js';
import { LineSplitter, type SplitLine } from './line-splitter.js';
import { RequestLog } from './request-log.js';
import type { LogStore } from './types.js';

export { RequestLog } from './request-log.js';

const RECENT_LINES = 20;
/** After this long without a dropped line, the drop summary is written. */
const QUIET_MS = 1000;
const RECENTLY_ENDED = 16;
/** While dropping, a pause after each chunk read (64 KiB): at most about 64 MB/s per stream is read to be dropped. */
const SKIP_PAUSE_MS = 1;
/** Start-up failure messages quote the last lines: each at most this long. */
const RECENT_LINE_BYTES = 512;

export interface InstanceLogMeta {
  serviceName: string;
  functionName: string;
  qualifier: string;
  instanceId: string;
}

/**
 * Reads an instance's stdout and stderr line by line and attributes each line to a request: a line of the form
 * `<time> <requestId> [LEVEL] …` (or Go's `<date> <time> <requestId> …`) goes to that request; otherwise to the only request in flight; otherwise to
 * the instance (empty request id). Whatever the function writes, Kumo keeps bounded: lines are cut at
 * `lineBytes`, and lines over the instance's rate or the call's total are dropped, counted and reported in the
 * function's log by a `Kumo:` notice. The pipes are always drained, so a flooding instance is never blocked.
 */
export class InstanceLogCapture {
  readonly #inFlight = new Map<string, RequestLog>();
  readonly #recent: string[] = [];
  readonly #limits: LogLimits;
  readonly #bucket: TokenBucket;
  #rateDropped = { lines: 0, bytes: 0, lastAt: 0 };
  #quietTimer: NodeJS.Timeout | undefined;
  readonly #ended: string[] = [];

  constructor(
    readonly meta: InstanceLogMeta,
    readonly store: LogStore,
    streams: Readable[],
  ) {
    this.#limits = store.limits ?? DEFAULT_LOG_LIMITS;
    this.#bucket = new TokenBucket(this.#limits.instanceBytesPerSecond, this.#limits.instanceBurstBytes);
    for (const stream of streams) {
      const splitter = new LineSplitter(this.#limits.lineBytes, (line) => this.#onLine(line));
      stream.on('data', (chunk: Buffer | string) => {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        if (!this.#stillDropping()) return splitter.push(bytes);
        this.#countDropped(splitter.skip(bytes), bytes.length);
        // Output that is only dropped is read at a bounded pace: the flood cannot take Kumo's thread, and the
        // instance is slowed (its pipe fills for a moment), never stopped.
        stream.pause();
        setTimeout(() => stream.resume(), SKIP_PAUSE_MS);
      });
      stream.once('end', () => {
        splitter.end();
        this.#reportRateDrops('');
      });
      stream.on('error', () => undefined); // the instance died; its exit is handled elsewhere
    }
  }

  begin(requestId: string): RequestLog {
    const log = new RequestLog();
    this.#inFlight.set(requestId, log);
    return log;
  }

  /** The request is over: notices about what it lost are added to its log, then it is forgotten. */
  end(requestId: string): void {
    const log = this.#inFlight.get(requestId);
    if (log) {
      this.#reportRateDrops(requestId);
      if (log.droppedLines > 0) {
        this.write(
          requestId,
          `Kumo: log output of this invocation exceeded ${formatBytes(this.#limits.callBytes)}, ${log.droppedLines} lines (${formatBytes(log.droppedBytes)}) dropped`,
        );
      }
    }
    this.#inFlight.delete(requestId);
    this.#ended.push(requestId);
    if (this.#ended.length > RECENTLY_ENDED) this.#ended.shift();
  }

  /** A platform line (start/end frames, billing, notices) for a request: never limited. */
  write(requestId: string, message: string): void {
    this.#inFlight.get(requestId)?.add(message);
    this.#store(requestId, message);
  }

  /** The instance's last lines of output, for start-up failure messages. */
  recentOutput(): string {
    return this.#recent.join('\n');
  }

  #onLine(line: SplitLine): void {
    const text = line.truncated
      ? `${line.text} ... [Kumo: line cut at ${formatBytes(this.#limits.lineBytes)}]`
      : line.text;
    this.#recent.push(text.length > RECENT_LINE_BYTES ? `${text.slice(0, RECENT_LINE_BYTES)}...` : text);
    if (this.#recent.length > RECENT_LINES) this.#recent.shift();
    const requestId = this.#attribute(text);
    const request = requestId ? this.#inFlight.get(requestId) : undefined;
    const cost = line.bytes + LINE_OVERHEAD_BYTES;
    if (request && request.logged + cost > this.#limits.callBytes) {
      if (request.droppedLines === 0) {
        this.write(
          requestId,
          `Kumo: this invocation logged more than ${formatBytes(this.#limits.callBytes)}: its further lines are dropped`,
        );
      }
      request.droppedLines++;
      request.droppedBytes += line.bytes;
      return;
    }
    if (!this.#bucket.take(cost, this.#resumeLevel())) {
      if (this.#rateDropped.lines === 0) {
        this.write(
          requestId,
          `Kumo: log output exceeds ${formatBytes(this.#limits.instanceBytesPerSecond)}/s (burst ${formatBytes(this.#limits.instanceBurstBytes)}): lines are dropped`,
        );
      }
      this.#countDropped(1, line.bytes);
      return;
    }
    this.#reportRateDrops(requestId);
    if (request) {
      request.logged += cost;
      request.add(text, line.bytes);
    }
    this.#store(requestId, text);
  }

  /** Once dropping, resume only with a second's worth saved up: one notice pair per episode, not per line. */
  #resumeLevel(): number {
    return this.#rateDropped.lines > 0
      ? Math.min(this.#limits.instanceBytesPerSecond, this.#limits.instanceBurstBytes)
      : 0;
  }

  /** Dropping, and not enough saved up to resume: whole chunks can be skipped without splitting them. */
  #stillDropping(): boolean {
    return this.#rateDropped.lines > 0 && !this.#bucket.take(0, this.#resumeLevel());
  }

  #countDropped(lines: number, bytes: number): void {
    this.#rateDropped.lines += lines;
    this.#rateDropped.bytes += bytes;
    this.#rateDropped.lastAt = performance.now();
    this.#quietTimer ??= setInterval(() => this.#reportWhenQuiet(), QUIET_MS).unref();
  }

  /** A flood that stopped gets its summary without waiting for the instance's next line. */
  #reportWhenQuiet(): void {
    if (performance.now() - this.#rateDropped.lastAt < QUIET_MS) return;
    this.#reportRateDrops(this.#inFlight.size === 1 ? (this.#inFlight.keys().next().value ?? '') : '');
  }

  #reportRateDrops(requestId: string): void {
    // Runs for every line: nothing to do unless lines were dropped (the quiet timer only runs while they are).
    const { lines, bytes } = this.#rateDropped;
    if (lines === 0) return;
    clearInterval(this.#quietTimer);
    this.#quietTimer = undefined;
    this.#rateDropped = { lines: 0, bytes: 0, lastAt: 0 };
    this.write(
      requestId,
      `Kumo: log output exceeded ${formatBytes(this.#limits.instanceBytesPerSecond)}/s, ${lines} lines (${formatBytes(bytes)}) dropped`,
    );
  }

  #attribute(line: string): string {
    // FC's `<time> <requestId> …`, or Go's log package `<date> <time> <requestId> …` (fc-runtime-go-sdk's own
    // lines, its panic reports among them): the second or the third word.
    const [, second, third] = line.slice(0, 160).split(/ +/, 3);
    for (const tagged of [second, third]) {
      // A function's output may arrive after its answer: a line tagged with a request just ended is still its.
      if (tagged && (this.#inFlight.has(tagged) || this.#ended.includes(tagged))) return tagged;
    }
    if (this.#inFlight.size === 1) return this.#inFlight.keys().next().value ?? '';
    return '';
  }

  #store(requestId: string, message: string): void {
    const { serviceName, functionName, qualifier, instanceId } = this.meta;
    // A literal, not a spread of `meta`: this runs for every line, three times per call at least.
    this.store.append({
      time: Date.now(),
      serviceName,
      functionName,
      qualifier,
      requestId,
      instanceId,
      message,
    });
  }
}
