import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type FC from '@alicloud/fc2';
import type { FcClient } from '../../src/cli/client.js';
import { cliEnv } from '../helpers/cli.js';
import { until } from '../helpers/poll.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { kumoClient, sdkClient } from '../helpers/server.js';

/** One `kumo serve` process of a test cluster. */
export interface TestNode {
  name: string;
  url: string;
  dataDir: string;
  child: ChildProcess;
  fc: FC;
  client: FcClient;
  /** What it printed so far (for failure messages). */
  output: () => string;
}

export interface TestCluster {
  storeUrl: string;
  nodes: TestNode[];
  /** Starts node `index` again on its data dir (after a kill), under the same name. */
  restart(index: number): Promise<TestNode>;
}

/** Instance subnets of node `index`, apart from other nodes' and from other test processes' (by pid). */
function subnets(index: number): Record<string, string> {
  const slot = process.pid % 8;
  return {
    KUMO_SANDBOX_SUBNET: `10.${240 + slot}.${index * 32}.0/19`,
    KUMO_CONTAINER_SUBNET: `10.${248 + slot}.${index * 32}.0/19`,
  };
}

/**
 * `size` real `kumo serve` processes (their own ports, data dirs, instance subnets and names) on one fresh
 * PostgreSQL database; every one is killed and its data dir removed after the test.
 */
export async function startCluster(
  t: TestContext,
  size: number,
  env: Record<string, string> = {},
): Promise<TestCluster> {
  const { url: storeUrl, drop } = await createTestDatabase();
  t.after(drop);
  const dataDirs = Array.from({ length: size }, () => mkdtempSync(join(tmpdir(), 'kumo-cluster-')));
  t.after(() => {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });
  const startNode = async (index: number): Promise<TestNode> => {
    const name = `node-${index + 1}`;
    const dataDir = dataDirs[index] as string;
    const child = spawn(
      process.execPath,
      [new URL('../../bin/kumo.js', import.meta.url).pathname, 'serve', '--port', '0', '--data-dir', dataDir],
      {
        env: {
          ...cliEnv(''),
          KUMO_LOG_LEVEL: 'warn',
          KUMO_STORE_URL: storeUrl,
          KUMO_NODE_NAME: name,
          KUMO_CLUSTER_HEARTBEAT_MS: '500',
          ...subnets(index),
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    // Kill and wait for the exit, so the database is not dropped under a live node.
    t.after(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    });
    let out = '';
    child.stdout?.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      out += chunk;
    });
    const url = await until(() => /listening on (\S+)/.exec(out)?.[1], {
      what: `${name} to listen`,
      timeoutMs: 60_000,
      detail: () => out,
    });
    return { name, url, dataDir, child, fc: sdkClient(url), client: kumoClient(url), output: () => out };
  };
  // One after the other: the first creates the schema, the others find it (concurrent starts are tested apart).
  const nodes: TestNode[] = [];
  for (let i = 0; i < size; i++) nodes.push(await startNode(i));
  return {
    storeUrl,
    nodes,
    restart: async (index) => {
      const node = await startNode(index);
      nodes[index] = node;
      return node;
    },
  };
}

/** Kills a node with SIGKILL (no cleanup of any kind) and waits until it is gone. */
export async function killNode(node: TestNode): Promise<void> {
  const exited = new Promise((resolve) => node.child.once('exit', resolve));
  node.child.kill('SIGKILL');
  await exited;
}
