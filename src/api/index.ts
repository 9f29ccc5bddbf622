export { createApp } from './app.js';
export { type AccessKey, checkContentMd5, KeyRing, safeDecode, verifyFcSignature } from './auth.js';
export { checkServiceScope } from './authorize.js';
export {
  BodyAborted,
  BodyTooLarge,
  drainBounded,
  OVERSIZED_DRAIN_BYTES,
  payloadTooLarge,
  readBoundedBody,
} from './body-limit.js';
export type { ApiDeps } from './context.js';
export { type Credentials, resolveCredentials, resolveSharedCredentials } from './credentials.js';
export { type ExecDeps, serveInstanceExec } from './exec/upgrade.js';
export { canonicalResource, sign } from './signature.js';
