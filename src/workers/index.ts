export { type WorkerMessage, workerIndexOf } from './messages.js';
export { runPrimary } from './primary.js';
export {
  assertWorkersSupported,
  describeWorkers,
  resolveWorkerCount,
  subnetSlice,
  workerConfig,
  workerDataDir,
  workerNodeName,
} from './worker-config.js';
export { WorkerSeam } from './worker-seam.js';
