/** Raised when a sandbox cannot be prepared, started or cleaned up. The message says what failed and why. */
export class SandboxError extends Error {
  override readonly name = 'SandboxError';
}

/** Raised by a command the sandbox runs (`ip`, `sysctl` …) that failed; carries its stderr. */
export class SandboxCommandError extends SandboxError {
  constructor(
    readonly command: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    const detail = stderr.trim() || `exit code ${exitCode}`;
    super(`\`${command.join(' ')}\` failed: ${detail}`);
  }
}
