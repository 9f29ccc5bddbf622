/** The billing line FC prints after each call's logs. */
export function billingLine(
  durationMs: number,
  granularityMs: number,
  memorySizeMb: number,
  peakBytes: number,
): string {
  const billed = Math.max(granularityMs, Math.ceil(durationMs / granularityMs) * granularityMs);
  return `Duration: ${durationMs.toFixed(2)} ms, Billed Duration: ${billed} ms, Memory Size: ${memorySizeMb} MB, Max Memory Used: ${toMb(peakBytes)} MB`;
}

export function toMb(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(2);
}
