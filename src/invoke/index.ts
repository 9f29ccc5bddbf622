export { AsyncWorker, type AsyncWorkerOptions } from './async-worker.js';
export type { TemporaryCredentials } from './context.js';
export { type HttpInvokeRequest, type HttpInvokeResult, invokeHttp } from './http.js';
export { type InvokeRequest, type InvokeResult, Invoker, type InvokerDeps } from './invoker.js';
export type { CallRequest } from './lifecycle.js';
export type { PlatformLog } from './recipe.js';
