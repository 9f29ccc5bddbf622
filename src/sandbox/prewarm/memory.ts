import { readFileSync } from 'node:fs';

/**
 * Memory pressure, from /proc/meminfo: below `max(512 MiB, 10 % of MemTotal)` available, pools stop their idle
 * instances and do not refill (an idle Node.js agent holds about 40 MB, a Python one about 15 MB).
 */
export function underMemoryPressure(minAvailableBytes?: number): boolean {
  let text: string;
  try {
    text = readFileSync('/proc/meminfo', 'utf8');
  } catch {
    return false;
  }
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
  const available = kib('MemAvailable') * 1024;
  const total = kib('MemTotal') * 1024;
  if (!Number.isFinite(available)) return false;
  const floor = minAvailableBytes ?? Math.max(512 * 1024 * 1024, total * 0.1);
  return available < floor;
}
