// Cold start of a Node.js hello function (built-in runtime) and of a custom runtime, beside a bare `node -e 0`
// and `python3 -c 0` start measured in the same run. Usage: npx tsx bench/cold-start.ts [repeats]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { FcClient } from '../src/cli/client.js';
import { zipDirectory } from '../src/code/index.js';
import { loadConfig } from '../src/config.js';
import { startServer } from '../src/server.js';

const repeats = Number(process.argv[2] ?? 10);

function stats(samples: number[]): { median: number; p90: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { median: at(0.5), p90: at(0.9) };
}

function bare(command: string, args: string[]): number[] {
  return Array.from({ length: repeats }, () => {
    const started = performance.now();
    spawnSync(command, args);
    return performance.now() - started;
  });
}

const dataDir = mkdtempSync(join(tmpdir(), 'kumo-bench-'));
const config = loadConfig(process.env, {
  port: 0,
  dataDir,
  accessKeyId: 'bench',
  accessKeySecret: 'bench',
  logLevel: 'silent',
});
const server = await startServer(config, pino({ level: 'silent' }));
const client = new FcClient({
  endpoint: server.url,
  accessKeyId: 'bench',
  accessKeySecret: 'bench',
  accountId: '1',
});
const examples = new URL('../examples/', import.meta.url).pathname;

async function coldStarts(name: string, runtime: string, dir: string): Promise<number[]> {
  const zipFile = (await zipDirectory(join(examples, dir))).toString('base64');
  await client.json('POST', '/services', { serviceName: name });
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    // A fresh function each time: nothing warm to reuse.
    const fn = `${name}${i}`;
    await client.json('POST', `/services/${name}/functions`, {
      functionName: fn,
      runtime,
      handler: 'index.handler',
      code: { zipFile },
    });
    const started = performance.now();
    const response = await client.send('POST', `/services/${name}/functions/${fn}/invocations`, 'bench');
    samples.push(performance.now() - started);
    if (response.status !== 200 || response.headers['x-fc-error-type'])
      throw new Error(response.body.toString());
  }
  return samples;
}

try {
  const rows = [
    ['bare `node -e 0`', stats(bare(process.execPath, ['-e', '0']))],
    ['bare `python3 -c 0`', stats(bare('/usr/bin/python3', ['-c', '0']))],
    ['Kumo nodejs20 hello, first call', stats(await coldStarts('node', 'nodejs20', 'nodejs-event'))],
    ['Kumo python3.10 hello, first call', stats(await coldStarts('py', 'python3.10', 'python-event'))],
    [
      'Kumo custom runtime (node server), first call',
      stats(await coldStarts('custom', 'custom', 'custom-hello')),
    ],
  ] as const;
  console.log(`cold start over ${repeats} repeats, sandbox ${server.sandbox.kind}`);
  console.log('| what | median ms | p90 ms | median / bare node |');
  console.log('|---|---|---|---|');
  const node = rows[0][1].median;
  for (const [what, s] of rows)
    console.log(
      `| ${what} | ${s.median.toFixed(1)} | ${s.p90.toFixed(1)} | ${(s.median / node).toFixed(2)}× |`,
    );
} finally {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
