// Cold start: time from the first call of a freshly created function to its response, for every built-in runtime
// name and a custom runtime, beside a bare `node -e 0` / `python3 -c 0` started in the same run.
// Part of `npm run bench` (bench/run.ts); alone: `node --import tsx bench/run.ts --only cold`.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createRuntimeRegistry } from '../src/runtimes/index.js';
import { deployFunction, type Kumo, timeFirstTwoCalls } from './lib/kumo.js';
import { progress, type Summary, summarize } from './lib/util.js';

export interface ColdRow {
  id: string;
  label: string;
  runtime?: string;
  /** First call of a fresh function, ms. */
  cold: Summary;
  /** The second call of the same function (warm), ms. */
  warm?: Summary;
}

export interface ColdResult {
  repeats: number;
  rows: ColdRow[];
  skipped: { runtime: string; reason: string }[];
  notes: string[];
}

function bare(repeats: number, command: string, args: string[]): number[] {
  spawnSync(command, args); // once unmeasured, so the binary is in the page cache like Kumo's will be
  return Array.from({ length: repeats }, () => {
    const started = performance.now();
    const result = spawnSync(command, args);
    const elapsed = performance.now() - started;
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
    return elapsed;
  });
}

function fixtureFor(runtime: string): { fixture: string; handler: string } | undefined {
  // FC's nodejs4.4 … nodejs16 end a call only through `callback`.
  const nodeMajor = /^nodejs(\d+)/.exec(runtime)?.[1];
  if (nodeMajor && Number(nodeMajor) <= 16) return { fixture: 'hello-node-legacy', handler: 'index.handler' };
  if (runtime.startsWith('nodejs')) return { fixture: 'hello-node', handler: 'index.handler' };
  if (runtime.startsWith('python')) return { fixture: 'hello-python', handler: 'index.handler' };
  if (runtime.startsWith('php')) return { fixture: 'hello-php', handler: 'index.handler' };
  if (runtime === 'custom') return { fixture: 'hello-custom', handler: 'index.handler' };
  return undefined;
}

export async function coldStart(kumo: Kumo, repeats: number): Promise<ColdResult> {
  const rows: ColdRow[] = [];
  const skipped: ColdResult['skipped'] = [];
  progress(`cold: bare process starts, ${repeats} each`);
  rows.push({
    id: 'bare-node',
    label: 'bare `node -e 0`',
    cold: summarize(bare(repeats, process.execPath, ['-e', '0'])),
  });
  rows.push({
    id: 'bare-python3',
    label: 'bare `python3 -c 0`',
    cold: summarize(bare(repeats, '/usr/bin/python3', ['-c', '0'])),
  });

  const builtIn = createRuntimeRegistry()
    .describe()
    .filter((r) => !r.name.startsWith('custom'));
  const runtimes = [...builtIn.filter((r) => r.available).map((r) => r.name), 'custom'];
  for (const r of builtIn.filter((r) => !r.available))
    skipped.push({ runtime: r.name, reason: r.reason ?? 'unavailable' });

  let sequence = 0;
  for (const runtime of runtimes) {
    const fixture = fixtureFor(runtime);
    if (runtime === 'go1') {
      skipped.push({ runtime, reason: 'a Go build: measured by bench/go1-cold-start.ts' });
      continue;
    }
    if (!fixture) {
      skipped.push({ runtime, reason: 'no hello fixture for this language in bench/fixtures' });
      continue;
    }
    progress(`cold: ${runtime}, ${repeats} fresh functions`);
    const cold: number[] = [];
    const warm: number[] = [];
    try {
      for (let i = 0; i < repeats; i++) {
        // A fresh function each time: nothing warm to reuse. Deleted afterwards, so its instance stops.
        const name = `cold_${runtime.replace(/[^a-z0-9]/g, '_')}_${sequence++}`;
        await deployFunction(kumo.client, { service: 'cold', name, runtime, ...fixture });
        const timed = await timeFirstTwoCalls(kumo.client, 'cold', name);
        cold.push(timed.first);
        warm.push(timed.warm);
      }
    } catch (error) {
      // One runtime failing says so in the table; it does not cost the rest of the run.
      progress(`cold: ${runtime} failed: ${(error as Error).message}`);
      skipped.push({ runtime, reason: `failed: ${(error as Error).message}` });
      continue;
    }
    const label = runtime === 'custom' ? 'Kumo custom runtime (Node.js server)' : `Kumo ${runtime}`;
    rows.push({ id: `kumo-${runtime}`, label, runtime, cold: summarize(cold), warm: summarize(warm) });
  }
  return {
    repeats,
    rows,
    skipped,
    notes: [
      'Cold: a signed invoke of a function created just before (not timed), through the sandbox start, the ' +
        "runtime's start and the first call. Warm: the second call to the same instance.",
      `Sandbox: ${kumo.server.sandbox.kind}. Each nodejsN row runs the Node.js release Kumo resolves for it ` +
        `(the bare row is the bench's own ${process.version}); python3, python3.9 and python3.10 the host's ` +
        '/usr/bin/python3. nodejs4.4…nodejs16 run a callback hello (a promise does not end a call there).',
    ],
  };
}
