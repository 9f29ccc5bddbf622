export type { TemporaryCredentials } from './context.js';
export { type InvokeRequest, type InvokeResult, Invoker, type InvokerDeps } from './invoker.js';
