export { BwrapSandbox, type BwrapSandboxOptions } from './bwrap.js';
export {
  type DetectSandboxOptions,
  describeSandboxChoice,
  detectSandbox,
  probeBwrap,
  type SandboxMode,
} from './detect.js';
export { SandboxCommandError, SandboxError } from './errors.js';
export { PROCESS_REASON, ProcessSandbox, type ProcessSandboxOptions } from './process.js';
export type { ExitInfo, InstanceHandle, Sandbox, SandboxKind, SandboxSpec } from './types.js';
