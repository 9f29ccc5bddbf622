import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type FC from '@alicloud/fc2';
import { CompositeSandbox, PrewarmSandbox, type PrewarmStats } from '../../src/sandbox/index.js';
import type { KumoServer } from '../../src/server.js';
import { zipFiles } from '../helpers/code.js';
import { invoke } from '../helpers/functions.js';
import { buildGo, zipExecutable } from '../helpers/go.js';
import { compileJava } from '../helpers/java.js';
import { until } from '../helpers/poll.js';
import { startTestServer } from '../helpers/server.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/prewarm/${name}`, import.meta.url), 'utf8');

type Files = Record<string, string | Buffer>;

/** The Java probe's classes, compiled once per test process (javac is slow to start). */
let javaClasses: Promise<Files> | undefined;
function javaProbe(): Promise<Files> {
  javaClasses ??= compileJava([
    new URL('../fixtures/prewarm/java/probe/Index.java', import.meta.url).pathname,
  ]).then((dir) => {
    const files: Files = { 'probe/Index.class': readFileSync(join(dir, 'probe/Index.class')) };
    rmSync(dir, { recursive: true, force: true });
    return files;
  });
  return javaClasses;
}

const JAVA_PROBE = {
  files: async (): Promise<Files> => ({ ...(await javaProbe()), 'data.txt': 'A' }),
  handler: 'probe.Index::handleRequest',
  initializer: 'probe.Index::initialize',
} as const;

/** The probe function of each pooled runtime: its code files and handler names. */
export const PROBES = {
  nodejs20: {
    files: async (): Promise<Files> => ({ 'index.js': fixture('probe.js'), 'data.txt': 'A' }),
    handler: 'index.handler',
    initializer: 'index.initializer',
  },
  'python3.10': {
    files: async (): Promise<Files> => ({ 'index.py': fixture('probe.py'), 'data.txt': 'A' }),
    handler: 'index.handler',
    initializer: 'index.initializer',
  },
  java11: JAVA_PROBE,
  java8: JAVA_PROBE,
  'php7.2': {
    files: async (): Promise<Files> => ({ 'index.php': fixture('probe.php'), 'data.txt': 'A' }),
    handler: 'index.handler',
    initializer: 'index.initializer',
  },
  // The executable (test/fixtures/prewarm/go) is `main`, with the handler's name `index.handler` a symlink to it.
  go1: {
    files: async (): Promise<Files> => ({ 'data.txt': 'A' }),
    handler: 'index.handler',
    initializer: 'index.initializer',
  },
} as const;

let goProbe: Promise<string> | undefined;

async function probeZip(runtime: PooledRuntime, files: Files): Promise<string> {
  if (runtime !== 'go1') return zipFiles(files);
  goProbe ??= buildGo(new URL('../fixtures/prewarm/go', import.meta.url).pathname);
  const text = Object.fromEntries(Object.entries(files).map(([name, data]) => [name, data.toString()]));
  return zipExecutable(await goProbe, ['index.handler'], text);
}

export type PooledRuntime = keyof typeof PROBES;

/** The server's pools (a server without pools has none). */
export function prewarmStats(server: KumoServer): PrewarmStats[] {
  const { sandbox } = server;
  const processes = sandbox instanceof CompositeSandbox ? sandbox.processes : sandbox;
  return processes instanceof PrewarmSandbox ? processes.stats() : [];
}

export function poolOf(server: KumoServer, runtime: string): PrewarmStats {
  const stats = prewarmStats(server).find((s) => s.runtime === runtime);
  if (!stats) throw new Error(`no ${runtime} pool`);
  return stats;
}

/** Waits until the runtime's pool has `ready` instances. */
export function poolReady(server: KumoServer, runtime: string, ready: number): Promise<PrewarmStats> {
  return until(
    () => {
      const stats = poolOf(server, runtime);
      return stats.ready >= ready ? stats : undefined;
    },
    { what: `${ready} ready ${runtime} pool instances`, timeoutMs: 60_000 },
  );
}

/** Deploys the runtime's probe (with an initializer and a variable of its own) as `fn` in `svc`. */
export async function deployProbe(
  fc: FC,
  svc: string,
  fn: string,
  runtime: PooledRuntime,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await fc.createService(svc).catch((error: Error & { code?: string }) => {
    if (error.code !== 'ServiceAlreadyExists') throw error;
  });
  const probe = PROBES[runtime];
  await fc.createFunction(svc, {
    functionName: fn,
    runtime,
    handler: probe.handler,
    initializer: probe.initializer,
    memorySize: 128,
    timeout: 10,
    environmentVariables: { MY_VAR: `value-of-${fn}` },
    code: { zipFile: await probeZip(runtime, { ...(await probe.files()), [`${fn}.txt`]: fn }) },
    ...extra,
  });
}

export interface Probe {
  env: Record<string, string>;
  /** Java: what a child process started without an environment of its own gets, and whether relative paths
   * resolve in /code. */
  childEnv?: Record<string, string>;
  relative?: boolean;
  cwd: string;
  code: string[];
  hostname: string;
  hosts: string;
  mountinfo: string;
  startedAt: number;
  initialized: number;
  write: string;
  context: Record<string, unknown>;
}

/** What differs between two instances of one function by nature (ids, credentials, times). */
export function comparable(probe: Probe, logs: string): Record<string, unknown> {
  const id = probe.env.FC_INSTANCE_ID ?? '';
  const env = { ...probe.env };
  // FC_RUNTIME_API (go1): the bridge's port and secret path, the instance's own.
  for (const name of [
    'FC_INSTANCE_ID',
    'ALIBABA_CLOUD_ACCESS_KEY_ID',
    'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
    'FC_RUNTIME_API',
  ]) {
    env[name] = env[name] ? 'set' : 'unset';
  }
  env.ALIBABA_CLOUD_SECURITY_TOKEN = env.ALIBABA_CLOUD_SECURITY_TOKEN ? 'set' : 'unset';
  return {
    env,
    cwd: probe.cwd,
    code: probe.code,
    hostname: probe.hostname.replace(id, '<id>'),
    hosts: probe.hosts.replace(id, '<id>').replace(/\d+\.\d+\.\d+\.\d+ fc-/, '<ip> fc-'),
    initialized: probe.initialized,
    write: probe.write,
    context: { ...probe.context, requestId: typeof probe.context.requestId },
    // The agent's "runtime inited." line lands in the first call's log or in none, depending on timing, for a
    // normally started instance too: not compared.
    logs: logs
      .split('\n')
      .filter((line) => !line.endsWith('runtime inited.'))
      .map((line) => line.replace(/[0-9a-f-]{36}/g, '<rid>').replace(/^\S*\d{4}-\d\d-\d\dT\S+/, '<time>'))
      .map((line) => line.replace(/\d+(\.\d+)? ms|\d+(\.\d+)? MB/g, '<n>')),
  };
}

/**
 * The probe's first call as a new function `svc/fn` on a server with a one-instance `runtime` pool (`pooled`) and
 * on one without pools (`plain`), after `deployedAt`. Asserts that both answered and that the pool served the
 * first: `seen` is what the pooled instance reported, `cold` what the normally started one did.
 */
export async function firstCallBothWays<P extends Probe = Probe>(
  t: TestContext,
  runtime: PooledRuntime,
  extra: Record<string, unknown> = {},
) {
  const pooled = await startTestServer(t, { prewarm: `${runtime}=1` });
  const plain = await startTestServer(t);
  await poolReady(pooled.server, runtime, 1);
  const deployedAt = Date.now();
  await deployProbe(pooled.fc, 'svc', 'fn', runtime, extra);
  await deployProbe(plain.fc, 'svc', 'fn', runtime, extra);
  const first = await invoke(pooled.fc, 'svc', 'fn', 'probe');
  assert.equal(first.errorType, undefined, first.body);
  assert.equal(poolOf(pooled.server, runtime).takes, 1, 'the pool served the first call');
  const normal = await invoke(plain.fc, 'svc', 'fn', 'probe');
  assert.equal(normal.errorType, undefined, normal.body);
  const [seen, cold] = [JSON.parse(first.body) as P, JSON.parse(normal.body) as P];
  return { pooled, plain, deployedAt, first, seen, normal, cold };
}
