export { Instance, type InstanceBlueprint } from './instance.js';
export { type InstanceRequest, type Lease, Scheduler, type SchedulerLimits } from './scheduler.js';
