import type { ColdResult } from '../cold-start.js';
import type { PoolResult } from '../pool-cold-start.js';
import type { ScaleResult } from '../scale.js';
import type { WarmResult, WarmRow } from '../warm.js';
import { renderComparison } from './compare.js';
import { formatInt, formatMs } from './util.js';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  kernel: string;
  node: string;
  python: string;
  sandbox: string;
  kumoCommit: string;
}

export interface BenchResults {
  startedAt: string;
  durationSeconds: number;
  command: string;
  machine: Machine;
  headline: Record<string, string>;
  warm?: WarmResult;
  cold?: ColdResult;
  pool?: PoolResult;
  scale?: ScaleResult | { error: string };
}

const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');

function find(rows: WarmRow[], id: string, connections: number): WarmRow | undefined {
  return rows.find((r) => r.id === id && r.connections === connections);
}

/** The figures a reader should look at first. */
export function headline(results: BenchResults): Record<string, string> {
  const out: Record<string, string> = {};
  const rows = results.warm?.rows ?? [];
  const kumoIds = [...new Set(rows.filter((r) => r.id.startsWith('kumo-')).map((r) => r.id))];
  const direct1 = find(rows, 'direct', 1);
  for (const id of kumoIds) {
    const c1 = find(rows, id, 1);
    if (c1 && direct1)
      out[`${c1.label}, 1 connection: p50`] =
        `${formatMs(c1.p50)} ms vs ${formatMs(direct1.p50)} ms direct ` +
        `(${ratio(c1.p50 / direct1.p50)}, +${formatMs(c1.p50 - direct1.p50)} ms)`;
  }
  for (const id of kumoIds) {
    const maxC = Math.max(...rows.filter((r) => r.id === id).map((r) => r.connections));
    const cMax = find(rows, id, maxC);
    const directMax = find(rows, 'direct', maxC);
    const slsMax = find(rows, 'serverless-offline', maxC);
    if (!cMax) continue;
    const parts = [`${formatInt(cMax.rps)}`];
    if (slsMax)
      parts.push(`vs ${formatInt(slsMax.rps)} serverless-offline (${ratio(cMax.rps / slsMax.rps)})`);
    if (directMax) parts.push(`vs ${formatInt(directMax.rps)} direct (${ratio(cMax.rps / directMax.rps)})`);
    out[`${cMax.label}, ${maxC} connections: req/s`] = parts.join(' ');
  }
  for (const row of results.pool?.rows ?? []) {
    const noPool = results.cold?.rows.find((r) => r.id === `kumo-${row.runtime}`);
    out[`first call to a new ${row.runtime} function from the pool: p50`] =
      `${formatMs(row.first.median)} ms, +${formatMs(row.first.median - row.warm.median)} ms over a warm call ` +
      `(goal ≤ 10 ms)${noPool ? `; ${formatMs(noPool.cold.median)} ms without a pool` : ''}`;
  }
  const cold = results.cold?.rows ?? [];
  const bareNode = cold.find((r) => r.id === 'bare-node');
  for (const id of ['kumo-nodejs20', 'kumo-python3.10', 'kumo-custom']) {
    const row = cold.find((r) => r.id === id);
    if (row && bareNode)
      out[`cold start, ${row.label.replace(/^Kumo /, '')}: median`] =
        `${formatMs(row.cold.median)} ms vs ${formatMs(bareNode.cold.median)} ms bare \`node -e 0\` ` +
        `(${ratio(row.cold.median / bareNode.cold.median)})`;
  }
  const scale = results.scale;
  if (scale && !('error' in scale)) {
    out['scale: memory per idle instance (PSS)'] = `${scale.memory.pssPerInstanceMiB.toFixed(1)} MiB`;
    out['scale: instances kept warm'] = `${scale.warm.instances} (stopped by ${scale.warm.stoppedBy})`;
    if (scale.invokeWarm)
      out[`scale: invoke ${scale.invokeWarm.functions} warm functions once each, one at a time`] =
        `${scale.invokeWarm.totalSeconds.toFixed(1)} s`;
    if (scale.invokeCold)
      out[`scale: first call of ${scale.invokeCold.functions} new functions, one at a time`] =
        `${scale.invokeCold.totalSeconds.toFixed(1)} s`;
  }
  return out;
}

function renderPool(results: BenchResults): string[] {
  const pool = results.pool;
  if (!pool) return [];
  const lines = [
    '',
    `**Cold start from a pre-warmed pool** — \`prewarm: ${pool.prewarm}\`, ${pool.repeats} repeats each.`,
  ];
  if (pool.skipped) return [...lines, '', `Not run: ${oneLine(pool.skipped)}`];
  lines.push(
    '',
    '| runtime | bare process p50 | without a pool p50 / p99 | first call from the pool p50 / p99 | warm call p50 / p99 | first − warm, p50 | takes / misses |',
    '|---|---:|---:|---:|---:|---:|---:|',
  );
  const pair = (s: { median: number; p99: number }) => `${formatMs(s.median)} / ${formatMs(s.p99)}`;
  for (const row of pool.rows) {
    const noPool = results.cold?.rows.find((r) => r.id === `kumo-${row.runtime}`);
    lines.push(
      `| ${row.runtime} | ${formatMs(row.bare.median)} | ${noPool ? pair(noPool.cold) : '–'} | ${pair(row.first)} | ` +
        `${pair(row.warm)} | ${formatMs(row.first.median - row.warm.median)} | ${row.takes} / ${row.misses} |`,
    );
  }
  lines.push('');
  for (const note of pool.notes) lines.push(`- ${note}`);
  return lines;
}

export function renderMarkdown(results: BenchResults, baseline?: BenchResults): string {
  const m = results.machine;
  const lines: string[] = [];
  lines.push(
    `Kumo benchmarks — \`${results.command}\`, ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC, ` +
      `${results.durationSeconds.toFixed(0)} s in all.`,
  );
  lines.push('');
  lines.push(
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB RAM, ${m.os} (Linux ${m.kernel}); ` +
      `Node.js ${m.node}, ${m.python}; Kumo ${m.kumoCommit}, sandbox ${m.sandbox}.`,
  );

  lines.push('', '**Headline**', '', '| figure | value |', '|---|---|');
  for (const [key, value] of Object.entries(results.headline)) lines.push(`| ${key} | ${value} |`);

  const warm = results.warm;
  if (warm) {
    const o = warm.options;
    lines.push(
      '',
      `**Warm invoke** — hello handler, \`POST\` body \`world\`, autocannon for ${o.durationSeconds} s per run ` +
        `after a warm-up on the same connections (see notes).`,
      '',
      '| scenario | conns | req/s | p50 ms | p99 ms | req/s × direct | p50 × direct | instances | non-2xx / errors |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const row of warm.rows) {
      const direct = find(warm.rows, 'direct', row.connections);
      lines.push(
        `| ${row.label} | ${row.connections} | ${formatInt(row.rps)} | ${formatMs(row.p50)} | ${formatMs(row.p99)} | ` +
          `${direct ? ratio(row.rps / direct.rps) : '–'} | ${direct ? ratio(row.p50 / direct.p50) : '–'} | ` +
          `${row.instances ?? ''} | ${row.non2xx} / ${row.errors + row.timeouts} |`,
      );
    }
    for (const skip of warm.skipped)
      lines.push(`| ${skip.label}: **not run**: ${oneLine(skip.reason)} | | | | | | | | |`);
    lines.push('');
    for (const note of warm.notes) lines.push(`- ${note}`);
  }

  const cold = results.cold;
  if (cold) {
    const bare = cold.rows.find((r) => r.id === 'bare-node');
    lines.push(
      '',
      `**Cold start** — first call of a fresh function, ${cold.repeats} repeats each.`,
      '',
      '| what | median ms | p90 ms | median × bare node | then warm, median ms |',
      '|---|---:|---:|---:|---:|',
    );
    for (const row of cold.rows) {
      lines.push(
        `| ${row.label} | ${formatMs(row.cold.median)} | ${formatMs(row.cold.p90)} | ` +
          `${bare ? ratio(row.cold.median / bare.cold.median) : '–'} | ${row.warm ? formatMs(row.warm.median) : ''} |`,
      );
    }
    for (const skip of cold.skipped)
      lines.push(`| ${skip.runtime}: **not run**: ${oneLine(skip.reason)} | | | | |`);
    lines.push('');
    for (const note of cold.notes) lines.push(`- ${note}`);
  }

  lines.push(...renderPool(results));

  const scale = results.scale;
  if (scale && 'error' in scale) {
    lines.push('', `**Scale** — failed: ${oneLine(scale.error)}`);
  } else if (scale) {
    const s = scale;
    const mem = s.memory;
    lines.push(
      '',
      `**Scale** — ${formatInt(s.deploy.functions)} ${s.runtime} functions, sandbox ${s.sandbox}.`,
      '',
      '| measure | value |',
      '|---|---:|',
      `| deploy ${formatInt(s.deploy.functions)} functions (${s.deploy.concurrency} in parallel) | ${s.deploy.seconds.toFixed(1)} s (${formatMs((s.deploy.seconds * 1000) / s.deploy.functions)} ms each) |`,
      `| instances kept warm (${s.options.warmConcurrency} cold starts in parallel) | ${formatInt(s.warm.instances)} in ${s.warm.seconds.toFixed(1)} s |`,
      `| warming stopped by | ${s.warm.stoppedBy} |`,
      `| cold starts per second, first 100 → last 100 of the warm-up | ${s.warm.startsPerSecondFirst100.toFixed(1)} → ${s.warm.startsPerSecondLast100.toFixed(1)} |`,
      `| memory per idle instance, PSS | ${mem.pssPerInstanceMiB.toFixed(1)} MiB |`,
      `| memory per idle instance, RSS | ${mem.rssPerInstanceMiB.toFixed(1)} MiB |`,
      ...(mem.cgroupPerInstanceMiB !== undefined
        ? [`| memory per idle instance, cgroup usage | ${mem.cgroupPerInstanceMiB.toFixed(1)} MiB |`]
        : []),
      `| host MemAvailable drop per instance | ${mem.hostPerInstanceMiB.toFixed(1)} MiB |`,
      `| Kumo server's own growth per instance | ${mem.kumoPerInstanceMiB.toFixed(2)} MiB |`,
      `| processes per instance | ${(mem.processes / Math.max(1, s.warm.instances)).toFixed(1)} |`,
      ...(s.arp
        ? [
            `| host ARP table entries when measured (gc_thresh2 / gc_thresh3) | ${s.arp.entries} (${s.arp.gcThresh2} / ${s.arp.gcThresh3}) |`,
            ...(s.arp.overflowMessages !== undefined
              ? [
                  `| kernel "neighbor table overflow" messages during the section | ${s.arp.overflowMessages} |`,
                ]
              : []),
          ]
        : []),
    );
    for (const [label, round] of [
      ['warm', s.invokeWarm],
      ['newly deployed (cold)', s.invokeCold],
    ] as const) {
      if (!round) continue;
      lines.push(
        `| invoke ${round.functions} ${label} functions once each, one at a time | ${round.totalSeconds.toFixed(2)} s ` +
          `(per call median ${formatMs(round.perCallMs.median)} ms, p99 ${formatMs(round.perCallMs.p99)} ms` +
          `${round.failed ? `; **${round.failed} failed**` : ''}) |`,
      );
    }
    lines.push(`| stop every instance (server close) | ${s.shutdownSeconds.toFixed(1)} s |`);
    if (s.warm.errors.length) lines.push('', `Warm-up errors: ${s.warm.errors.map(oneLine).join('; ')}`);
    for (const round of [s.invokeWarm, s.invokeCold])
      if (round?.errors.length) lines.push('', `Invoke errors: ${round.errors.map(oneLine).join('; ')}`);
    lines.push('');
    for (const note of s.notes) lines.push(`- ${note}`);
  }
  lines.push(...renderComparison(baseline, results));
  return `${lines.join('\n')}\n`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').slice(0, 400);
}
