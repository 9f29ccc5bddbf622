// The log store's thread: owns logs.db, so inserting and checkpointing never run on the request thread.
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteLogStore } from './sqlite.js';
import type { ToWorker } from './threaded.js';

const port = parentPort;
if (!port) throw new Error('logs/worker.ts runs as a worker thread only');
const store = new SqliteLogStore((workerData as { file: string }).file);
port.postMessage({ type: 'ready' });

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'append':
      for (const line of message.lines) store.append(line);
      break;
    case 'query':
      try {
        port.postMessage({ type: 'rows', id: message.id, rows: store.query(message.query) });
      } catch (error) {
        port.postMessage({ type: 'rows', id: message.id, error: (error as Error).message });
      }
      break;
    case 'close':
      store.close();
      process.exit(0); // ends this thread only; whatever else it holds open (tsx's service) goes with it
      break;
  }
});
