import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { detectCgroupLayout } from '../../src/sandbox/cgroup.js';
import { listNetns } from '../../src/sandbox/network.js';
import { cliEnv, runKumo } from '../helpers/cli.js';
import { until } from '../helpers/poll.js';
import { freePort } from '../helpers/ports.js';
import { createTestDatabase } from '../helpers/postgres.js';

const KUMO = new URL('../../bin/kumo.js', import.meta.url).pathname;

export interface WorkersServer {
  url: string;
  base: string;
  child: ChildProcess;
  output: () => string;
}

export interface NodeRow {
  name: string;
  state: string;
  url: string;
}

/** The real `kumo serve --workers <count>` on a free port and a fresh PostgreSQL database; killed after the test. */
export async function startWorkers(t: TestContext, count: number): Promise<WorkersServer> {
  const { url: storeUrl, drop } = await createTestDatabase();
  t.after(drop);
  const dataDir = mkdtempSync(join(tmpdir(), 'kumo-workers-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  const base = `wk${process.pid}`;
  const slot = process.pid % 8;
  const child = spawn(
    process.execPath,
    [KUMO, 'serve', '--workers', String(count), '--port', String(port), '--data-dir', dataDir],
    {
      env: {
        ...cliEnv(''),
        KUMO_LOG_LEVEL: 'warn',
        KUMO_STORE_URL: storeUrl,
        KUMO_NODE_NAME: base,
        KUMO_CLUSTER_HEARTBEAT_MS: '500',
        // Apart from other test processes' instances (by pid); the workers split each range between them.
        KUMO_SANDBOX_SUBNET: `10.${240 + slot}.64.0/19`,
        KUMO_CONTAINER_SUBNET: `10.${248 + slot}.64.0/19`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (chunk) => {
    out += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    out += chunk;
  });
  t.after(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    for (const pid of childPids(child.pid ?? 0)) process.kill(pid, 'SIGKILL');
    child.kill('SIGKILL');
    await exited;
  });
  const url = `http://127.0.0.1:${port}`;
  const server = { url, base, child, output: () => out };
  await until(async () => (await liveNodes(server)).length === count, {
    what: `${count} workers to be listed alive`,
    timeoutMs: 90_000,
    intervalMs: 200,
    detail: () => out,
  });
  return server;
}

/** The alive nodes `kumo nodes --json` lists through the shared port. */
export async function liveNodes(server: WorkersServer): Promise<NodeRow[]> {
  const listed = await runKumo(['nodes', '--json'], { endpoint: server.url });
  if (listed.code !== 0) throw new Error(listed.stderr);
  const answer = JSON.parse(listed.stdout) as { nodes: NodeRow[] };
  return answer.nodes.filter((node) => node.state === 'Alive');
}

/** Pids of the processes whose parent is `pid` (the primary's workers). */
export function childPids(pid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) pids.push(Number(entry));
    } catch {} // gone meanwhile
  }
  return pids;
}

/** Host resources named after Kumo process `pid`: netns, cgroups, mounts. */
export function resourcesOf(pid: number): string[] {
  const mine = (name: string) => name.startsWith(`kumo-${pid}-`);
  const found = listNetns()
    .filter(mine)
    .map((name) => `netns ${name}`);
  const layout = detectCgroupLayout();
  const parents =
    layout.version === 1
      ? [join(layout.memory, 'kumo'), join(layout.pids, 'kumo')]
      : [join(layout.root, 'kumo')];
  for (const dir of parents) {
    if (existsSync(dir))
      found.push(
        ...readdirSync(dir)
          .filter(mine)
          .map((name) => `cgroup ${name}`),
      );
  }
  for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    if (line.includes(`/kumo-${pid}-`)) found.push(`mount ${line}`);
  }
  return found;
}
