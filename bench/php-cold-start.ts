// Cold start of FC's built-in PHP runtime (`php7.2`, runtimes/php/agent.php on the machine's PHP) beside, in the
// same run, a bare `php -v` and the same hello as a PHP custom runtime served by `php -S` (as examples/php is).
// Each sample is the first call of a function created just before (not timed): sandbox start, PHP start, agent
// load, the call. The second call to the same instance is the warm figure.
//   node --import tsx bench/php-cold-start.ts [--repeats 10]
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { deleteFunction, deployFunction, invokeOnce, startKumo } from './lib/kumo.js';
import { formatMs, progress, type Summary, summarize } from './lib/util.js';

const repeatsFlag = process.argv.indexOf('--repeats');
const REPEATS = repeatsFlag === -1 ? 10 : Number(process.argv[repeatsFlag + 1]);

function barePhp(repeats: number): number[] {
  spawnSync('php', ['-v']); // once unmeasured: the binary in the page cache, as it will be for Kumo
  return Array.from({ length: repeats }, () => {
    const started = performance.now();
    const result = spawnSync('php', ['-v']);
    if (result.status !== 0) throw new Error(`php -v failed: ${result.stderr}`);
    return performance.now() - started;
  });
}

interface Row {
  label: string;
  cold: Summary;
  warm?: Summary;
}

const kumo = await startKumo();
try {
  progress(`php cold start: bare php -v, ${REPEATS} times`);
  const rows: Row[] = [{ label: 'bare `php -v`', cold: summarize(barePhp(REPEATS)) }];
  const cases = [
    { label: 'Kumo custom runtime, `php -S` (examples/php)', runtime: 'custom', fixture: 'hello-php-custom' },
    { label: 'Kumo php7.2 (built-in agent)', runtime: 'php7.2', fixture: 'hello-php' },
  ];
  let sequence = 0;
  for (const { label, runtime, fixture } of cases) {
    progress(`php cold start: ${label}, ${REPEATS} fresh functions`);
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const name = `php_cold_${sequence++}`;
      await deployFunction(kumo.client, {
        service: 'phpcold',
        name,
        runtime,
        handler: 'index.handler',
        fixture,
      });
      let started = performance.now();
      const answer = await invokeOnce(kumo.client, 'phpcold', name, 'world');
      cold.push(performance.now() - started);
      if (answer !== 'Hello, world!\n') throw new Error(`${label} answered ${JSON.stringify(answer)}`);
      started = performance.now();
      await invokeOnce(kumo.client, 'phpcold', name, 'world');
      warm.push(performance.now() - started);
      await deleteFunction(kumo.client, 'phpcold', name);
    }
    rows.push({ label, cold: summarize(cold), warm: summarize(warm) });
  }

  const baseline = rows[0]?.cold.median ?? Number.NaN;
  const lines = [
    `PHP cold start, ${REPEATS} samples each, sandbox ${kumo.server.sandbox.kind}, ${spawnSync('php', ['-r', 'echo PHP_VERSION;']).stdout}`,
    '',
    '| what | cold median (ms) | cold p90 (ms) | vs bare `php -v` | warm median (ms) |',
    '|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.label} | ${formatMs(row.cold.median)} | ${formatMs(row.cold.p90)} | ` +
        `${(row.cold.median / baseline).toFixed(2)}× | ${row.warm ? formatMs(row.warm.median) : '—'} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await kumo.close();
}
