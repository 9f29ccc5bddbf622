// Kumo's memory and disk under a function's log flood, for a before/after comparison of any checkout:
//   npm run build && node --import tsx bench/log-flood.ts [kumo-checkout-dir] [MiB]
// The checkout (default: this one) must be built (`dist/`). It runs `kumo serve` from it as its own process,
// deploys a function that prints <MiB> (default 200) of ordinary ~100-byte lines in one call, then one that prints
// 600 MiB without a newline, and prints Kumo's RSS (now and peak) and the growth of logs.db.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FcClient } from '../src/cli/client.js';
import { zipDirectory } from '../src/code/index.js';

const checkout = resolve(process.argv[2] ?? new URL('..', import.meta.url).pathname);
const floodMiB = Number(process.argv[3] ?? 200);
const MiB = 1024 * 1024;
const credentials = {
  accessKeyId: 'BENCHKEY',
  accessKeySecret: 'bench-secret',
  accountId: '1000000000000001',
};

function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

function logsDb(dataDir: string): number {
  const size = (name: string) => statSync(join(dataDir, name), { throwIfNoEntry: false })?.size ?? 0;
  return size('logs.db') + size('logs.db-wal');
}

async function serve(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [join(checkout, 'bin/kumo.js'), 'serve', '--port', '0', '--data-dir', dataDir],
    {
      env: {
        ...process.env,
        KUMO_ACCESS_KEY_ID: credentials.accessKeyId,
        KUMO_ACCESS_KEY_SECRET: credentials.accessKeySecret,
        KUMO_ACCOUNT_ID: credentials.accountId,
        KUMO_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout?.on('data', (chunk) => {
    out += chunk;
  });
  for (let i = 0; i < 400; i++) {
    const url = /listening on (\S+)/.exec(out)?.[1];
    if (url) return { child, url };
    await sleep(50);
  }
  throw new Error(`kumo serve did not start: ${out}`);
}

/** Waits until logs.db stops growing (the log thread has written what it will write). */
async function settle(dataDir: string): Promise<void> {
  let last = -1;
  for (let stable = 0; stable < 3; ) {
    await sleep(1000);
    const size = logsDb(dataDir);
    stable = size === last ? stable + 1 : 0;
    last = size;
  }
}

const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kumo-log-flood-'));
  const { child, url } = await serve(dataDir);
  const pid = child.pid ?? 0;
  const client = new FcClient({ endpoint: url, ...credentials });
  try {
    await client.json('POST', '/services', { serviceName: 'bench' });
    const zipFile = (await zipDirectory(new URL('fixtures/log-flood', import.meta.url).pathname)).toString(
      'base64',
    );
    await client.json('POST', '/services/bench/functions', {
      functionName: 'flood',
      runtime: 'custom',
      handler: 'index.handler',
      memorySize: 256,
      timeout: 300,
      code: { zipFile },
    });
    await client.send('POST', '/services/bench/functions/flood/invocations', 'lines:0');
    const before = { ...memory(pid), db: logsDb(dataDir) };
    const started = performance.now();
    const flood = await client.send(
      'POST',
      '/services/bench/functions/flood/invocations',
      `lines:${floodMiB}`,
    );
    const callMs = performance.now() - started;
    await settle(dataDir);
    const after = { ...memory(pid), db: logsDb(dataDir) };
    console.log(`Kumo at ${checkout}`);
    console.log(
      `${floodMiB} MiB of log lines in one call: answered ${flood.status} in ${callMs.toFixed(0)} ms`,
    );
    console.log(`  RSS: ${mib(before.rss)} before, ${mib(after.peak)} peak, ${mib(after.rss)} after`);
    console.log(
      `  logs.db: ${mib(before.db)} before, ${mib(after.db)} after (+${mib(after.db - before.db)})`,
    );

    const cut = await client
      .send('POST', '/services/bench/functions/flood/invocations', 'nonewline:600')
      .then((response) => `answered ${response.status}`)
      .catch((error: Error) => `failed: ${error.message}`);
    const alive = await fetch(`${url}/healthz`)
      .then((response) => response.status === 200)
      .catch(() => false);
    console.log(`600 MiB without a newline: ${cut}; server ${alive ? 'still up' : 'DOWN'}`);
    if (alive) console.log(`  RSS: ${mib(memory(pid).rss)} after, ${mib(memory(pid).peak)} peak`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((done) => child.once('exit', done));
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
