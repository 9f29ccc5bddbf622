import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { type CallRequest, poolKeyOf } from '../invoke/index.js';
import type { Scheduler } from '../scheduler/index.js';
import { isWorkerMessage, type WorkerMessage } from './messages.js';

/** How often a worker tells the primary its on-demand instance counts (only when they changed). */
const REPORT_MS = 100;

/**
 * What `startServer` needs when it runs as one worker of `kumo serve --workers N` (docs/workers.md): the
 * function caps shared with the other workers, and an address of its own besides the shared port (the shared
 * port reaches any worker; the other workers' logs and instances queries must reach this one).
 */
export class WorkerSeam {
  readonly #watched = new Set<string>();
  #others: Record<string, number> = {};
  #reported: Record<string, number> = {};
  #timer: NodeJS.Timeout | undefined;
  #private: Server | undefined;
  #scheduler: Scheduler | undefined;

  constructor(
    readonly index: number,
    readonly send: (message: WorkerMessage) => void = (message) => process.send?.(message),
  ) {
    process.on('message', (message: unknown) => {
      if (isWorkerMessage(message) && message.kumo === 'others') this.#others = message.counts;
    });
  }

  /**
   * This worker's room under a function's maximumInstanceCount: the cap less what the other workers run of
   * it. The cap holds across workers once counts have been exchanged (at each capped call and every 100 ms);
   * two workers cold-starting the same function at the same moment can each start one (docs/workers.md).
   */
  capShare(call: CallRequest, cap: number): number {
    const poolKey = poolKeyOf(call.service.serviceName, call.fn.functionName, call.versionId);
    this.#watched.add(poolKey);
    // Tell the others now if this worker's count changed since the last report (an instance became ready).
    if (this.#scheduler) this.#report(this.#scheduler);
    return Math.max(0, cap - (this.#others[poolKey] ?? 0));
  }

  /**
   * Once the app listens on the shared port (`url`): reports this worker's on-demand instances of capped
   * functions, listens on its own loopback port, joins the cluster there and tells the primary.
   */
  async start(at: {
    app: FastifyInstance;
    scheduler: Scheduler;
    url: string;
    join: (nodeUrl: string) => Promise<void>;
  }): Promise<void> {
    this.#scheduler = at.scheduler;
    this.#timer = setInterval(() => this.#report(at.scheduler), REPORT_MS);
    this.#timer.unref();
    const privateUrl = await this.#listenPrivately(at.app);
    await at.join(privateUrl);
    this.send({ kumo: 'listening', index: this.index, url: at.url, privateUrl });
  }

  #report(scheduler: Scheduler): void {
    const counts: Record<string, number> = {};
    let changed = false;
    for (const key of this.#watched) {
      const count = scheduler.instances(key).filter((instance) => !instance.provisionedFor).length;
      if (count > 0) counts[key] = count;
      if ((this.#reported[key] ?? 0) !== count) changed = true;
    }
    if (!changed) return;
    this.#reported = counts;
    this.send({ kumo: 'counts', counts });
  }

  /** Listens on a port of this worker only (loopback) for the other workers; answers its URL. */
  async #listenPrivately(app: FastifyInstance): Promise<string> {
    const server = createServer((request, response) => app.server.emit('request', request, response));
    this.#private = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    const server = this.#private;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}
