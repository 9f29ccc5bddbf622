import { existsSync, readFileSync } from 'node:fs';
import type { BenchResults } from './report.js';
import { formatInt, formatMs } from './util.js';

/**
 * The previous round's results, the baseline of the before/after table: `bench/results/latest.json` as it was
 * before this run (a full run then keeps it as `previous.json`), or the file `--baseline` names.
 */
export function readBaseline(file: string): BenchResults | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
  } catch {
    return undefined;
  }
}

interface Figure {
  what: string;
  unit: string;
  before: number;
  after: number;
  /** Higher is better (req/s) or lower is better (ms). */
  higherIsBetter: boolean;
}

/** The figures both runs measured: warm req/s and p50, cold-start medians, pool first calls. */
function figures(before: BenchResults, after: BenchResults): Figure[] {
  const out: Figure[] = [];
  for (const row of after.warm?.rows ?? []) {
    const old = before.warm?.rows.find((r) => r.id === row.id && r.connections === row.connections);
    if (!old) continue;
    const what = `${row.label}, ${row.connections} conn.`;
    out.push({ what, unit: 'req/s', before: old.rps, after: row.rps, higherIsBetter: true });
    out.push({ what, unit: 'p50 ms', before: old.p50, after: row.p50, higherIsBetter: false });
  }
  for (const row of after.cold?.rows ?? []) {
    const old = before.cold?.rows.find((r) => r.id === row.id);
    if (old)
      out.push({
        what: `cold start, ${row.label}`,
        unit: 'median ms',
        before: old.cold.median,
        after: row.cold.median,
        higherIsBetter: false,
      });
  }
  for (const row of after.pool?.rows ?? []) {
    const old = before.pool?.rows.find((r) => r.runtime === row.runtime);
    if (old)
      out.push({
        what: `first call from the pool, ${row.runtime}`,
        unit: 'p50 ms',
        before: old.first.median,
        after: row.first.median,
        higherIsBetter: false,
      });
  }
  return out;
}

/** The before/after table in Markdown, or nothing when there is no baseline or no figure in common. */
export function renderComparison(before: BenchResults | undefined, after: BenchResults): string[] {
  if (!before) return [];
  const rows = figures(before, after);
  if (rows.length === 0) return [];
  const when = before.startedAt.slice(0, 16).replace('T', ' ');
  const lines = [
    '',
    `**Before / after** — before: \`${before.command}\` at ${when} UTC on Kumo ${before.machine.kumoCommit}; ` +
      `after: this run on Kumo ${after.machine.kumoCommit}. Other load on the machine moves both.`,
    '',
    '| figure | unit | before | after | after ÷ before |',
    '|---|---|---:|---:|---:|',
  ];
  for (const row of rows) {
    const format = row.unit === 'req/s' ? formatInt : formatMs;
    const ratio = row.before > 0 ? row.after / row.before : Number.NaN;
    const better = row.higherIsBetter ? ratio > 1.1 : ratio < 0.9;
    const worse = row.higherIsBetter ? ratio < 0.9 : ratio > 1.1;
    const mark = better ? ' (better)' : worse ? ' (worse)' : '';
    const shown = Number.isFinite(ratio) ? `${ratio.toFixed(2)}×${mark}` : '–';
    lines.push(`| ${row.what} | ${row.unit} | ${format(row.before)} | ${format(row.after)} | ${shown} |`);
  }
  return lines;
}
