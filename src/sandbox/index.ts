export {
  type BuildIsolation,
  type BuildMount,
  type BuildRunResult,
  type BuildRunSpec,
  buildIsolation,
  runBuildCommand,
} from './build-run.js';
export { BwrapSandbox, type BwrapSandboxOptions } from './bwrap.js';
export { CompositeSandbox } from './composite.js';
export {
  type DetectSandboxOptions,
  describeSandboxChoice,
  detectSandbox,
  probeBwrap,
  type SandboxMode,
} from './detect.js';
export { SandboxCommandError, SandboxError } from './errors.js';
export { findBinary, SYSTEM_PATH } from './exec.js';
export { type LeftoverSweepOptions, sweepLeftovers } from './leftovers.js';
export { parseCidrList } from './network.js';
export {
  type GenericSpec,
  PREWARM_RUNTIME,
  type PrewarmOptions,
  PrewarmSandbox,
  type PrewarmStats,
  type PrewarmTarget,
  parsePrewarm,
  poolCommand,
  SERVE_PREWARM_DEFAULT,
} from './prewarm/index.js';
export { PROCESS_REASON, ProcessSandbox, type ProcessSandboxOptions } from './process.js';
export { RuncSandbox, type RuncSandboxOptions } from './runc.js';
export { detectRunc, runcUnavailableReason } from './runc-detect.js';
export type {
  ExitInfo,
  GenericInstance,
  ImageRuntimeConfig,
  InstanceHandle,
  Sandbox,
  SandboxImage,
  SandboxKind,
  SandboxSpec,
} from './types.js';
