// A short cold-start loop for before/after comparisons of sandbox changes (the full table is `bench/run.ts
// --only cold`): fresh functions of a few runtimes at a few memory sizes, first call timed, then deleted.
// Run: node --import tsx bench/cold-loop.ts [--repeats 8] [--memory 128,1024] [--runtimes nodejs20,python3.10,custom]
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { deleteFunction, ensureService, fixtureZip, invokeOnce, startKumo } from './lib/kumo.js';
import { summarize } from './lib/util.js';

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '8' },
    memory: { type: 'string', default: '128,1024' },
    runtimes: { type: 'string', default: 'nodejs20,python3.10,custom' },
  },
});
const repeats = Number(values.repeats);
const fixtures: Record<string, string> = {
  nodejs: 'hello-node',
  python: 'hello-python',
  custom: 'hello-custom',
};

const kumo = await startKumo();
console.log(`sandbox: ${kumo.server.sandbox.kind}`);
let sequence = 0;
try {
  await ensureService(kumo.client, 'cold');
  for (const memorySize of values.memory.split(',').map(Number)) {
    for (const runtime of values.runtimes.split(',')) {
      const fixture = fixtures[Object.keys(fixtures).find((prefix) => runtime.startsWith(prefix)) ?? ''];
      if (!fixture) throw new Error(`no fixture for ${runtime}`);
      const samples: number[] = [];
      for (let i = 0; i < repeats; i++) {
        const name = `loop_${sequence++}`;
        await kumo.client.json('POST', '/services/cold/functions', {
          functionName: name,
          runtime,
          handler: 'index.handler',
          memorySize,
          timeout: 10,
          code: { zipFile: await fixtureZip(fixture) },
        });
        const started = performance.now();
        await invokeOnce(kumo.client, 'cold', name, 'world');
        samples.push(performance.now() - started);
        await deleteFunction(kumo.client, 'cold', name);
      }
      const s = summarize(samples);
      console.log(
        `${runtime.padEnd(11)} ${String(memorySize).padStart(5)} MB  median ${s.median.toFixed(0)} ms  ` +
          `p90 ${s.p90.toFixed(0)} ms  min ${s.min.toFixed(0)} ms  (n=${s.n})`,
      );
    }
  }
} finally {
  await kumo.close();
}
