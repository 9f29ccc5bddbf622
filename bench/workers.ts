// One worker against several: starts the real `kumo serve --workers N` (a child process, like a user would) on a
// fresh PostgreSQL database, deploys the nodejs20 hello (one function per instanceConcurrency, each with an HTTP
// trigger) and drives the invoke API and the HTTP trigger with autocannon at 50 connections. The configurations
// run back to back, so load from elsewhere on the machine skews them alike (or not: say so with the figures).
//
//   node --import tsx bench/workers.ts [--workers sqlite,1,2] [--duration 10] [--connections 50]
//     sqlite: one process on the default SQLite store; N: N workers on PostgreSQL (KUMO_BENCH_PG_URL, default
//     the test role scripts/setup.d/postgres.sh makes)
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { FcClient } from '../src/cli/client.js';
import { deployFunction, httpTrigger, type Kumo, signedInvoke } from './lib/kumo.js';
import { checkTarget, runLoad } from './lib/load.js';
import { freePort, progress, waitForHttp } from './lib/util.js';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: 'sqlite,1,2' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
  },
});
const PG_URL = process.env.KUMO_BENCH_PG_URL ?? 'postgres://kumo_test:kumo_test@127.0.0.1:5432/postgres';
const KEYS = { id: 'BENCHKEY', secret: 'bench-secret', account: '1000000000000001' };
const KUMO_BIN = new URL('../bin/kumo.js', import.meta.url).pathname;

async function withDatabase<T>(work: (url: string) => Promise<T>): Promise<T> {
  const name = `kumo_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(PG_URL);
    url.pathname = `/${name}`;
    return await work(url.toString());
  } finally {
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

async function serve(
  workers: number,
  storeUrl: string | undefined,
): Promise<{ kumo: Kumo; child: ChildProcess }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kumo-bench-workers-'));
  const port = await freePort();
  const child = spawn(process.execPath, [KUMO_BIN, 'serve', '--port', String(port), '--data-dir', dataDir], {
    env: {
      ...process.env,
      KUMO_WORKERS: String(workers),
      ...(storeUrl && { KUMO_STORE_URL: storeUrl }),
      KUMO_ACCESS_KEY_ID: KEYS.id,
      KUMO_ACCESS_KEY_SECRET: KEYS.secret,
      KUMO_ACCOUNT_ID: KEYS.account,
      KUMO_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/readyz`, 90_000);
  const client = new FcClient({
    endpoint: url,
    accessKeyId: KEYS.id,
    accessKeySecret: KEYS.secret,
    accountId: KEYS.account,
  });
  // signedInvoke and httpTrigger read only the URL and the client.
  const kumo = { server: { url }, client } as unknown as Kumo;
  if (workers > 1) {
    // Every worker listening (the first answers /readyz before the others have started).
    for (;;) {
      const nodes = await client.json<{ nodes: { state: string }[] }>('GET', '/kumo/nodes');
      if (nodes.nodes.filter((node) => node.state === 'Alive').length >= workers) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return { kumo, child };
}

async function measure(label: string, workers: number, storeUrl: string | undefined): Promise<string[]> {
  const { kumo, child } = await serve(workers, storeUrl);
  const rows: string[] = [];
  try {
    for (const concurrency of [50, 1]) {
      const name = `hello${concurrency}`;
      await deployFunction(kumo.client, {
        service: 'bench',
        name,
        runtime: 'nodejs20',
        handler: 'index.http',
        fixture: 'hello-node',
        httpTrigger: true,
        instanceConcurrency: concurrency,
      });
      await deployFunction(kumo.client, {
        service: 'bench',
        name: `${name}i`,
        runtime: 'nodejs20',
        handler: 'index.handler',
        fixture: 'hello-node',
        instanceConcurrency: concurrency,
      });
      for (const route of ['invoke', 'http'] as const) {
        const target =
          route === 'http'
            ? httpTrigger(kumo, 'bench', name, 'world')
            : signedInvoke(kumo, 'bench', `${name}i`, 'world');
        await checkTarget(target, 'Hello, world!');
        const connections = Number(values.connections);
        progress(`${label}: ${route}, instanceConcurrency ${concurrency}, ${connections} connections`);
        const warmup = { chunkSeconds: 2, minSeconds: concurrency === 1 ? 20 : 4, maxSeconds: 30 };
        const result = await runLoad(target, connections, Number(values.duration), warmup);
        rows.push(
          `| ${label} | ${route} | ${concurrency} | ${Math.round(result.rps)} | ${result.p50.toFixed(2)} | ${result.p99.toFixed(2)} | ${result.errors + result.non2xx} |`,
        );
        progress(rows.at(-1) ?? '');
      }
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  return rows;
}

const rows: string[] = [];
for (const choice of values.workers.split(',')) {
  if (choice === 'sqlite') rows.push(...(await measure('1 process, SQLite', 1, undefined)));
  else {
    const workers = Number(choice);
    const label = `${workers} worker${workers === 1 ? '' : 's'}, PostgreSQL`;
    rows.push(...(await withDatabase((url) => measure(label, workers, url))));
  }
}
process.stdout.write(
  `| Kumo | route | instanceConcurrency | req/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|---|---|\n${rows.join('\n')}\n`,
);
