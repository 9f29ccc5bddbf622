import { readFileSync } from 'node:fs';
import { descendants } from './memory.js';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds (user + system) used so far by each process below `root`, except those whose command has `skip`. */
export function descendantCpu(root: number, skip: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of descendants(root)) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(skip)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** CPU seconds used between two snapshots by the processes in both. */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? seconds);
  return total;
}
