// The log store's thread: owns logs.db, so inserting, checkpointing and retention never run on the request thread.
import { parentPort, workerData } from 'node:worker_threads';
import type { LogRetention } from './limits.js';
import { SqliteLogStore } from './sqlite.js';
import type { FromWorker, ToWorker } from './threaded.js';

const port = parentPort;
if (!port) throw new Error('logs/worker.ts runs as a worker thread only');
const { file, retention } = workerData as { file: string; retention: LogRetention };
const store = new SqliteLogStore(file);
const post = (message: FromWorker) => port.postMessage(message);
post({ type: 'ready' });

const enforceRetention = () => {
  try {
    const result = store.enforceRetention(retention);
    if (result.deletedRows > 0 || result.bytesAfter < result.bytesBefore)
      post({ type: 'retention', ...result });
  } catch (error) {
    post({
      type: 'retention',
      deletedRows: 0,
      bytesBefore: 0,
      bytesAfter: 0,
      error: (error as Error).message,
    });
  }
};
// At start (an old, oversized logs.db shrinks before it grows further), then periodically.
setImmediate(enforceRetention);
const retentionTimer = setInterval(enforceRetention, retention.intervalMs);

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'append':
      try {
        store.insertBatch(message.batch);
      } finally {
        post({ type: 'written', bytes: message.bytes });
      }
      break;
    case 'query':
      try {
        post({ type: 'rows', id: message.id, rows: store.query(message.query) });
      } catch (error) {
        post({ type: 'rows', id: message.id, error: (error as Error).message });
      }
      break;
    case 'close':
      clearInterval(retentionTimer);
      store.close();
      process.exit(0); // ends this thread only; whatever else it holds open (tsx's service) goes with it
      break;
  }
});
