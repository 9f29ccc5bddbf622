import { detectCgroupLayout } from './cgroup.js';
import { findBinary } from './exec.js';
import { RuncSandbox, type RuncSandboxOptions } from './runc.js';

/** Why runc containers cannot run here (cheap checks, no trial run), or undefined. */
export function runcUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return `runc needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return `runc containers need root (Kumo runs as uid ${process.getuid?.()})`;
  const missing = ['runc', 'ip'].filter((name) => !findBinary(name));
  if (missing.length > 0) return `${missing.join(', ')} not installed (apt-get install runc iproute2)`;
  try {
    detectCgroupLayout();
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

/** A prepared `RuncSandbox`, or the reason why containers cannot run here. */
export async function detectRunc(options: RuncSandboxOptions): Promise<RuncSandbox | string> {
  const reason = runcUnavailableReason();
  if (reason) return reason;
  const sandbox = new RuncSandbox(options);
  try {
    await sandbox.prepare();
    return sandbox;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
