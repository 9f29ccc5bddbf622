import cluster, { type Worker } from 'node:cluster';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { KumoConfig } from '../config.js';
import { sweepLeftovers } from '../sandbox/index.js';
import { isWorkerMessage, WORKER_COUNT_ENV, WORKER_INDEX_ENV, type WorkerMessage } from './messages.js';
import { workerDataDir, workerNodeName } from './worker-config.js';

/** A worker that lived shorter than this before dying counts as crash-looping (its restart waits longer). */
const SHORT_LIFE_MS = 10_000;

interface Slot {
  index: number;
  worker: Worker;
  startedAt: number;
  /** Consecutive short lives, for the restart backoff. */
  failures: number;
  /** Its on-demand instances per pool key (functions with a maximumInstanceCount). */
  counts: Record<string, number>;
  url?: string;
}

/**
 * The primary of `kumo serve --workers N` (docs/workers.md): forks N workers that share the listening socket
 * (node:cluster hands connections round-robin), relays their instance counts, restarts a worker that dies
 * (after removing what it left: cgroups, netns, mounts of a dead pid) and stops them all on SIGTERM/SIGINT.
 * It serves nothing itself. Resolves when every worker has stopped.
 */
export function runPrimary(config: KumoConfig, count: number, logger: Logger): Promise<number> {
  const slots = new Map<number, Slot>();
  let stopping = false;
  let anyListened = false;
  let announced = false;
  let exitCode = 0;
  let done: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => {
    done = resolve;
  });

  const broadcastCounts = () => {
    for (const slot of slots.values()) {
      const others: Record<string, number> = {};
      for (const other of slots.values()) {
        if (other === slot) continue;
        for (const [key, n] of Object.entries(other.counts)) others[key] = (others[key] ?? 0) + n;
      }
      send(slot.worker, { kumo: 'others', counts: others });
    }
  };

  const fork = (index: number, failures: number) => {
    const worker = cluster.fork({ [WORKER_INDEX_ENV]: String(index), [WORKER_COUNT_ENV]: String(count) });
    const slot: Slot = { index, worker, startedAt: Date.now(), failures, counts: {} };
    slots.set(index, slot);
    worker.on('message', (message: unknown) => {
      if (!isWorkerMessage(message)) return;
      if (message.kumo === 'counts') {
        slot.counts = message.counts;
        broadcastCounts();
      } else if (message.kumo === 'listening') onListening(slot, message.url);
    });
    worker.on('exit', (code, signal) => void onExit(slot, code, signal));
  };

  const onListening = (slot: Slot, url: string) => {
    slot.url = url;
    broadcastCounts(); // a restarted worker learns what the others run of capped functions
    const name = workerNodeName(config, slot.index);
    logger.info(
      { worker: slot.index, node: name, workerPid: slot.worker.process.pid },
      `worker ${name} listening`,
    );
    if (!anyListened) {
      anyListened = true;
      // The first worker has created the store's and the cluster's tables; the others start together.
      for (let index = 2; index <= count; index++) fork(index, 0);
    } else if (!announced && slots.size === count && [...slots.values()].every((s) => s.url)) {
      announced = true;
      logger.info(`Workers: ${count} sharing ${url}, each a cluster node (\`kumo nodes\` lists them)`);
    }
  };

  const onExit = async (slot: Slot, code: number | null, signal: string | null) => {
    if (slots.get(slot.index) !== slot) return;
    slots.delete(slot.index);
    broadcastCounts();
    await sweepWorker(config, slot.index, logger);
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    if (!stopping && !anyListened) {
      logger.error(`worker ${slot.index} stopped before it listened (${how}); stopping`);
      exitCode = 1;
      stopAll();
    }
    if (stopping) {
      if (slots.size === 0) done(exitCode);
      return;
    }
    const failures = Date.now() - slot.startedAt < SHORT_LIFE_MS ? slot.failures + 1 : 0;
    const delay = failures === 0 ? 0 : Math.min(30_000, 500 * 2 ** failures);
    logger.error(`worker ${slot.index} died (${how}); starting it again${delay ? ` in ${delay} ms` : ''}`);
    setTimeout(() => {
      if (!stopping) fork(slot.index, failures);
    }, delay);
  };

  const stopAll = () => {
    stopping = true;
    for (const slot of slots.values()) slot.worker.process.kill('SIGTERM');
  };
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn(`${signal} again: killing the workers`);
      for (const slot of slots.values()) slot.worker.process.kill('SIGKILL');
      return;
    }
    logger.info(`${signal}: stopping ${slots.size} workers (each drains its calls and stops its instances)`);
    stopAll();
    if (slots.size === 0) done(exitCode);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  fork(1, 0);
  return finished;
}

function send(worker: Worker, message: WorkerMessage): void {
  if (worker.isConnected()) worker.send(message, (error: Error | null) => void error);
}

/** What a worker's instances left once it is gone (its pid is dead, so the sweep may take it). */
async function sweepWorker(config: KumoConfig, index: number, logger: Logger): Promise<void> {
  const removed = await sweepLeftovers({ stateDir: join(workerDataDir(config, index), 'containers') });
  if (removed.length > 0) logger.info({ removed }, `removed what worker ${index} left`);
}
