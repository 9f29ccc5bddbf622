export { applyChanges, type LocalCaches } from './apply-changes.js';
export { LeasedAsyncQueue } from './async-leases.js';
export type { ClusterChange } from './bus.js';
export { type ClusterNodeInfo, Membership } from './membership.js';
export { ClusterNode } from './node.js';
export { type ChangeHooks, withClusterNotices } from './notices.js';
export { registerNodeRoutes } from './routes.js';
export { ensureClusterSchema } from './schema.js';
export { TimerTickClaims } from './timer-ticks.js';
