export { canonicalName } from './canonical-head.js';
export { Instance, type InstanceRecipe, type InstanceState } from './instance.js';
export type { ProvisionedState } from './pools.js';
export { type CpuSignal, ProcStatCpu, ScaleOutPolicy } from './scale-out.js';
export {
  type Lease,
  Scheduler,
  type SchedulerLimits,
  type SchedulerObserver,
  type SlotRequest,
  type StartPermit,
} from './scheduler.js';
