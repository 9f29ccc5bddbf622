// Cold start of a go1 hello (bench/fixtures/hello-go, built with fc-runtime-go-sdk) beside a custom-runtime hello
// (bench/fixtures/hello-custom, a Node.js server: the baseline), both through a real in-process Kumo.
//   node --import tsx bench/go1-cold-start.ts [--repeats 10]
// Cold: a signed invoke of a function created just before; warm: its second call. Progress on stderr.
import { performance } from 'node:perf_hooks';
import { goHelloZip } from './lib/go.js';
import { deleteFunction, deployFunction, invokeOnce, type Kumo, startKumo } from './lib/kumo.js';
import { progress, round, type Summary, summarize } from './lib/util.js';

const repeatsArg = process.argv.indexOf('--repeats');
const REPEATS = repeatsArg === -1 ? 10 : Number(process.argv[repeatsArg + 1]);

async function measure(kumo: Kumo, runtime: 'go1' | 'custom', goZip: string): Promise<[Summary, Summary]> {
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const name = `cold_${runtime}_${i}`;
    if (runtime === 'custom') {
      await deployFunction(kumo.client, {
        service: 'cold',
        name,
        runtime,
        handler: 'index.handler',
        fixture: 'hello-custom',
      });
    } else {
      const go = { handler: 'main', fixture: '', zipFile: goZip };
      await deployFunction(kumo.client, { service: 'cold', name, runtime, ...go });
    }
    let started = performance.now();
    const answer = await invokeOnce(kumo.client, 'cold', name, 'world');
    cold.push(performance.now() - started);
    if (!answer.includes('Hello, world!')) throw new Error(`${runtime} answered ${answer}`);
    started = performance.now();
    await invokeOnce(kumo.client, 'cold', name, 'world');
    warm.push(performance.now() - started);
    await deleteFunction(kumo.client, 'cold', name);
  }
  return [summarize(cold), summarize(warm)];
}

async function main(): Promise<void> {
  progress('go1 cold start: building bench/fixtures/hello-go');
  const goZip = await goHelloZip();
  const kumo = await startKumo();
  try {
    const rows: [string, Summary, Summary][] = [];
    for (const runtime of ['custom', 'go1'] as const) {
      progress(`go1 cold start: ${runtime}, ${REPEATS} fresh functions`);
      const [cold, warm] = await measure(kumo, runtime, goZip);
      rows.push([
        runtime === 'custom' ? 'custom runtime (Node.js server): baseline' : 'go1 (runtime API bridge + Go)',
        cold,
        warm,
      ]);
    }
    const base = rows[0]?.[1].median ?? Number.NaN;
    console.log(`Sandbox: ${kumo.server.sandbox.kind}, ${REPEATS} fresh functions each, times in ms\n`);
    console.log('| hello | cold median | cold p90 | warm median | cold vs baseline |');
    console.log('|---|---|---|---|---|');
    for (const [label, cold, warm] of rows) {
      const ratio = `${round(cold.median / base)}×`;
      console.log(
        `| ${label} | ${round(cold.median)} | ${round(cold.p90)} | ${round(warm.median)} | ${ratio} |`,
      );
    }
  } finally {
    await kumo.close();
  }
}

await main();
