// Scale: deploy many functions, keep as many instances warm as memory (and the time budget) allows, measure the
// memory of an idle instance, then invoke N of them once each; then deploy N more and call each once (cold starts
// with every other instance still running).
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { deployFunction, ensureService, invokeOnce, type Kumo, startKumo } from './lib/kumo.js';
import {
  arpTable,
  descendants,
  instanceCgroupBytes,
  MiB,
  meminfo,
  neighbourOverflows,
  processMemory,
} from './lib/memory.js';
import { progress, type Summary, summarize } from './lib/util.js';

export interface ScaleOptions {
  functions: number;
  invokeCount: number;
  /** Cold starts in flight while warming up. */
  warmConcurrency: number;
  /** Stop warming after this long. */
  warmBudgetSeconds: number;
  /** Stop warming when the host's MemAvailable falls below this. */
  memoryReserveBytes: number;
}

export interface InvokeRound {
  functions: number;
  /** Calls that answered an error (their time is still counted). */
  failed: number;
  errors: string[];
  totalSeconds: number;
  perCallMs: Summary;
}

export interface ScaleResult {
  options: ScaleOptions;
  runtime: string;
  sandbox: string;
  deploy: { functions: number; seconds: number; concurrency: number };
  warm: {
    instances: number;
    seconds: number;
    stoppedBy: string;
    errors: string[];
    /** Cold starts per second over the first and the last 100 warm-up calls (does starting slow down with scale?). */
    startsPerSecondFirst100: number;
    startsPerSecondLast100: number;
  };
  memory: {
    /** Processes of the idle instances (sandbox wrappers included). */
    processes: number;
    pssPerInstanceMiB: number;
    rssPerInstanceMiB: number;
    cgroupPerInstanceMiB?: number;
    /** Host MemAvailable drop from before to after warming, per instance (everything: kernel, Kumo, instances). */
    hostPerInstanceMiB: number;
    /** Growth of this process (Kumo's server and the bench) per instance. */
    kumoPerInstanceMiB: number;
    hostAvailableAfterMiB: number;
  };
  /**
   * The host's ARP table with the instances warm (each bwrap instance is a neighbour on its own veth), and the
   * kernel's "neighbor table overflow" messages (dropped packets) during this section, when dmesg is readable.
   */
  arp?: { entries: number; gcThresh2: number; gcThresh3: number; overflowMessages?: number };
  invokeWarm?: InvokeRound;
  invokeCold?: InvokeRound;
  shutdownSeconds: number;
  notes: string[];
}

const SERVICE = 'scale';
const RUNTIME = 'nodejs20';
const name = (i: number) => `f${String(i).padStart(4, '0')}`;

/** Runs `work(i)` for i in [0, count) with `concurrency` in flight; `stop()` ends it early. */
async function pool(
  count: number,
  concurrency: number,
  work: (i: number) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<number> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < count && !stop()) {
      const i = next++;
      await work(i);
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done;
}

async function invokeRound(kumo: Kumo, indexes: number[]): Promise<InvokeRound> {
  const samples: number[] = [];
  const errors: string[] = [];
  let failed = 0;
  const started = performance.now();
  for (const i of indexes) {
    const t = performance.now();
    try {
      await invokeOnce(kumo.client, SERVICE, name(i), 'world');
    } catch (error) {
      failed++;
      if (errors.length < 3) errors.push((error as Error).message);
      progress(`scale: call failed: ${(error as Error).message}`);
    }
    samples.push(performance.now() - t);
  }
  return {
    functions: indexes.length,
    failed,
    errors,
    totalSeconds: (performance.now() - started) / 1000,
    perCallMs: summarize(samples),
  };
}

export async function scale(options: ScaleOptions): Promise<ScaleResult> {
  const kumo = await startKumo({
    maxInstances: options.functions + options.invokeCount + 10,
    maxInstancesPerFunction: 1,
    maxQueuedCalls: options.functions + options.invokeCount,
    instanceIdleMs: 3_600_000,
  });
  let shutdownSeconds = 0;
  const overflowsBefore = neighbourOverflows();
  try {
    progress(`scale: deploying ${options.functions} ${RUNTIME} functions`);
    await ensureService(kumo.client, SERVICE);
    const deployConcurrency = 8;
    let t = performance.now();
    const deploy = (i: number) =>
      deployFunction(kumo.client, {
        service: SERVICE,
        name: name(i),
        runtime: RUNTIME,
        handler: 'index.handler',
        fixture: 'hello-node',
      });
    await pool(options.functions, deployConcurrency, deploy);
    const deploySeconds = (performance.now() - t) / 1000;

    const warmable = options.functions;
    const before = { host: meminfo().availableBytes, self: process.memoryUsage().rss };
    progress(
      `scale: warming up to ${warmable} instances (stops below ${(options.memoryReserveBytes / MiB).toFixed(0)} MiB ` +
        `available or after ${options.warmBudgetSeconds} s)`,
    );
    let stoppedBy = `none: all ${warmable} functions have a warm instance`;
    const errors: string[] = [];
    t = performance.now();
    const stop = () => {
      if (errors.length >= 5) {
        stoppedBy = `${errors.length} failed calls (the first: ${errors[0]})`;
        return true;
      }
      if (meminfo().availableBytes < options.memoryReserveBytes) {
        stoppedBy = `memory (MemAvailable below the ${(options.memoryReserveBytes / MiB).toFixed(0)} MiB reserve)`;
        return true;
      }
      if (performance.now() - t > options.warmBudgetSeconds * 1000) {
        stoppedBy = `the ${options.warmBudgetSeconds} s time budget`;
        return true;
      }
      return false;
    };
    let lastReport = performance.now();
    const completions: number[] = [];
    const warmed = await pool(
      warmable,
      options.warmConcurrency,
      async (i) => {
        try {
          await invokeOnce(kumo.client, SERVICE, name(i), 'world');
          completions.push(performance.now());
        } catch (error) {
          errors.push((error as Error).message);
          progress(`scale: warm-up call failed: ${(error as Error).message}`);
        }
        if (performance.now() - lastReport > 10_000) {
          lastReport = performance.now();
          progress(`scale: ${kumo.server.instanceCount()} instances warm`);
        }
      },
      stop,
    );
    const warmSeconds = (performance.now() - t) / 1000;
    const instances = kumo.server.instanceCount();
    const rate = (from: number, to: number) => {
      const start = from === 0 ? t : (completions[from - 1] ?? t);
      const end = completions[to - 1] ?? start;
      return end > start ? ((to - from) * 1000) / (end - start) : Number.NaN;
    };
    const n = completions.length;
    const startsPerSecondFirst100 = rate(0, Math.min(100, n));
    const startsPerSecondLast100 = rate(Math.max(0, n - 100), n);
    progress(`scale: ${instances} instances warm after ${warmSeconds.toFixed(1)} s; stopped by ${stoppedBy}`);

    await sleep(3_000); // idle: let the instances settle
    const pids = descendants(process.pid);
    const proc = processMemory(pids);
    const cgroup = instanceCgroupBytes(process.pid);
    const after = { host: meminfo().availableBytes, self: process.memoryUsage().rss };
    const arp = arpTable();
    const per = (bytes: number) => (instances > 0 ? bytes / instances / MiB : Number.NaN);
    const memory: ScaleResult['memory'] = {
      processes: proc.processes,
      pssPerInstanceMiB: per(proc.pssBytes),
      rssPerInstanceMiB: per(proc.rssBytes),
      ...(cgroup && { cgroupPerInstanceMiB: per(cgroup.bytes) }),
      hostPerInstanceMiB: per(before.host - after.host),
      kumoPerInstanceMiB: per(after.self - before.self),
      hostAvailableAfterMiB: after.host / MiB,
    };
    progress(
      `scale: idle instance ≈ ${memory.pssPerInstanceMiB.toFixed(1)} MiB PSS, ${memory.rssPerInstanceMiB.toFixed(1)} MiB RSS, ` +
        `host ${memory.hostPerInstanceMiB.toFixed(1)} MiB`,
    );

    const count = Math.min(options.invokeCount, warmed);
    let invokeWarm: InvokeRound | undefined;
    if (count > 0) {
      progress(`scale: invoking ${count} warm functions once each`);
      invokeWarm = await invokeRound(
        kumo,
        Array.from({ length: count }, (_, i) => i),
      );
    }
    progress(`scale: deploying ${options.invokeCount} more functions and calling each once`);
    const extra = Array.from({ length: options.invokeCount }, (_, i) => options.functions + i);
    for (const i of extra) await deploy(i);
    const invokeCold = await invokeRound(kumo, extra);

    progress(`scale: stopping ${kumo.server.instanceCount()} instances`);
    t = performance.now();
    await kumo.close();
    shutdownSeconds = (performance.now() - t) / 1000;
    const overflowsAfter = neighbourOverflows();
    const overflowMessages =
      overflowsBefore !== undefined && overflowsAfter !== undefined
        ? overflowsAfter - overflowsBefore
        : undefined;
    return {
      options,
      runtime: RUNTIME,
      sandbox: kumo.server.sandbox.kind,
      deploy: { functions: options.functions, seconds: deploySeconds, concurrency: deployConcurrency },
      warm: {
        instances,
        seconds: warmSeconds,
        stoppedBy,
        errors: errors.slice(0, 5),
        startsPerSecondFirst100,
        startsPerSecondLast100,
      },
      memory,
      ...(arp && { arp: { ...arp, overflowMessages } }),
      invokeWarm,
      invokeCold,
      shutdownSeconds,
      notes: [
        `Each function is the hello handler on ${RUNTIME}, 128 MB, one instance per function (maxInstancesPerFunction 1, ` +
          'instanceIdleMs 1 h for this run).',
        'Memory per idle instance: PSS (shared pages split between processes) and RSS summed over every process of ' +
          "the instances (sandbox wrappers included) divided by the instance count; cgroup: the instances' memory " +
          "cgroups (includes page cache they brought in); host: the drop of the machine's MemAvailable while warming " +
          "(includes the kernel's per-instance cost and Kumo's own), so other activity on the machine shows up in it.",
        ...(arp && instances > arp.gcThresh2
          ? [
              `Each bwrap instance is a neighbour of the host on its own veth pair: ${instances} instances are past the ` +
                `kernel's net.ipv4.neigh.default.gc_thresh2 (${arp.gcThresh2}; entries get garbage-collected) and near ` +
                `gc_thresh3 (${arp.gcThresh3}), where the kernel drops packets ("neighbor table overflow"` +
                `${overflowMessages !== undefined ? `: ${overflowMessages} such kernel messages during this section` : ''}` +
                '), seen as 1–2 s TCP retransmit stalls in the invoke rounds (their p99).',
            ]
          : []),
        'Invoke rounds are sequential: one signed call at a time, each to a different function. The cold round ' +
          `calls ${options.invokeCount} functions deployed after the warm-up (not timed), with the warm instances still running.`,
      ],
    };
  } finally {
    await kumo.close();
  }
}
