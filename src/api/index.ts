export { createApp } from './app.js';
export { KeyRing, verifyFcSignature } from './auth.js';
export type { ApiDeps } from './context.js';
export { type Credentials, resolveCredentials } from './credentials.js';
export { canonicalResource, sign } from './signature.js';
