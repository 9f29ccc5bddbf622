export {
  type AsyncListInput,
  enqueueAsync,
  findAsyncInvocation,
  listAsyncInvocations,
  stopAsyncInvocation,
  toInvocationResponse,
} from './async-queue.js';
export { AsyncWorker, type AsyncWorkerOptions } from './async-worker.js';
export type { TemporaryCredentials } from './context.js';
export { type HttpInvokeRequest, type HttpInvokeResult, invokeHttp } from './http.js';
export { type InvokeRequest, type InvokeResult, Invoker, type InvokerDeps } from './invoker.js';
export { type CallRequest, poolKeyOf } from './lifecycle.js';
export { Provisioner, type ProvisionStatus } from './provisioner.js';
export type { PlatformLog } from './recipe.js';
export {
  ALIAS_MAIN_VERSION,
  type HttpInvokeTarget,
  type InvokeTarget,
  isTargetGone,
  LATEST,
  parseServiceRef,
  type RandomSource,
  resolveHttpTarget,
  resolveService,
  resolveTarget,
  type TargetRef,
} from './resolve.js';
