// Warm invoke: the same hello handler behind Kumo (invoke API and HTTP trigger, built-in Node.js runtime and
// custom runtime), called directly, under serverless-offline and under workerd, each driven by autocannon.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { deleteFunction, deployFunction, httpTrigger, type Kumo, signedInvoke } from './lib/kumo.js';
import { checkTarget, type LoadResult, runLoad, type Target } from './lib/load.js';
import { BENCH_DIR, freePort, progress, type Service, startService, waitForHttp } from './lib/util.js';

export interface WarmOptions {
  connections: number[];
  /** Scenario ids to run (`--scenarios`); all when unset. */
  only?: string[];
  durationSeconds: number;
  /** Warm-up chunk length: chunks at the run's concurrency until two in a row agree within 10 % on req/s. */
  warmupSeconds: number;
  /** Upper bound of the warm-up. */
  maxWarmupSeconds: number;
  /**
   * Runs with more than one connection warm up at least this long, and at most `maxManyWarmupSeconds`: with FC's
   * instanceConcurrency 1 they start ~30 instances, each seeing a thirtieth of the calls, so their JITs need
   * 20-30 s to reach steady state (measured: the agents' CPU per call halves between 10 s and 30 s of load).
   */
  minManyWarmupSeconds: number;
  maxManyWarmupSeconds: number;
}

export interface WarmRow extends LoadResult {
  id: string;
  label: string;
  /** Kumo instances of this function after the run (Kumo rows only). */
  instances?: number;
}

export interface WarmResult {
  options: WarmOptions;
  rows: WarmRow[];
  /** Scenarios that could not run, with the reason. */
  skipped: { id: string; label: string; reason: string }[];
  notes: string[];
}

const EVENT = 'world';
const EXPECT = `Hello, ${EVENT}!`;

interface Scenario {
  id: string;
  label: string;
  /** Starts what serves the scenario; returns the request to replay and how to stop it. */
  start(): Promise<{ target: Target; stop?: () => Promise<void>; instances?: () => number }>;
}

async function serve(
  what: string,
  command: string,
  args: string[],
  readyUrl: string,
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Service> {
  const service = startService(command, args, options);
  try {
    await waitForHttp(readyUrl, options.timeoutMs ?? 30_000, { method: 'POST', body: EVENT }, service.child);
  } catch (error) {
    await service.stop();
    throw new Error(`${what} did not start: ${(error as Error).message}\n${service.output().trim()}`);
  }
  return service;
}

function workerdBinary(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const arch = process.arch === 'x64' ? '64' : process.arch;
  const candidates = [
    join(BENCH_DIR, 'node_modules', '@cloudflare', `workerd-${platform}-${arch}`, 'bin', 'workerd'),
    join(BENCH_DIR, 'node_modules', 'workerd', 'bin', 'workerd'),
  ];
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`no workerd binary for ${platform}-${arch} in bench/node_modules`);
  return found;
}

function scenarios(kumo: Kumo): Scenario[] {
  const kumoScenario = (
    id: string,
    label: string,
    fn: {
      name: string;
      runtime: string;
      handler: string;
      fixture: string;
      http: boolean;
      instanceConcurrency?: number;
    },
  ): Scenario => ({
    id,
    label,
    start: async () => {
      const before = kumo.server.instanceCount();
      await deployFunction(kumo.client, {
        service: 'warm',
        name: fn.name,
        runtime: fn.runtime,
        handler: fn.handler,
        fixture: fn.fixture,
        httpTrigger: fn.http,
        instanceConcurrency: fn.instanceConcurrency,
      });
      return {
        target: fn.http
          ? httpTrigger(kumo, 'warm', fn.name, EVENT)
          : signedInvoke(kumo, 'warm', fn.name, EVENT),
        instances: () => kumo.server.instanceCount() - before,
        // Deleting the function stops its instances, so each Kumo scenario starts from the same state.
        stop: async () => {
          await deleteFunction(kumo.client, 'warm', fn.name, fn.http);
          const deadline = Date.now() + 15_000;
          while (kumo.server.instanceCount() > before && Date.now() < deadline) await sleep(50);
        },
      };
    },
  });
  return [
    {
      id: 'direct',
      label: 'direct: the hello server, no platform (baseline)',
      start: async () => {
        const port = await freePort();
        const url = `http://127.0.0.1:${port}/invoke`;
        const service = await serve(
          'the hello server',
          process.execPath,
          [join(BENCH_DIR, 'fixtures', 'hello-custom', 'bootstrap')],
          url,
          { env: { ...process.env, FC_SERVER_PORT: String(port), BENCH_HOST: '127.0.0.1' } },
        );
        return { target: { url, method: 'POST', headers: {}, body: EVENT }, stop: service.stop };
      },
    },
    kumoScenario('kumo-nodejs-invoke', 'Kumo nodejs20, invoke API (signed)', {
      name: 'node_event',
      runtime: 'nodejs20',
      handler: 'index.handler',
      fixture: 'hello-node',
      http: false,
    }),
    kumoScenario('kumo-nodejs-invoke-ic50', 'Kumo nodejs20, invoke API (signed), instanceConcurrency 50', {
      name: 'node_event_ic50',
      runtime: 'nodejs20',
      handler: 'index.handler',
      fixture: 'hello-node',
      http: false,
      instanceConcurrency: 50,
    }),
    kumoScenario('kumo-nodejs-http', 'Kumo nodejs20, HTTP trigger', {
      name: 'node_http',
      runtime: 'nodejs20',
      handler: 'index.http',
      fixture: 'hello-node',
      http: true,
    }),
    kumoScenario('kumo-nodejs-http-ic50', 'Kumo nodejs20, HTTP trigger, instanceConcurrency 50', {
      name: 'node_http_ic50',
      runtime: 'nodejs20',
      handler: 'index.http',
      fixture: 'hello-node',
      http: true,
      instanceConcurrency: 50,
    }),
    kumoScenario('kumo-custom-invoke', 'Kumo custom runtime, invoke API (signed)', {
      name: 'custom_event',
      runtime: 'custom',
      handler: 'index.handler',
      fixture: 'hello-custom',
      http: false,
    }),
    kumoScenario('kumo-custom-http', 'Kumo custom runtime, HTTP trigger', {
      name: 'custom_http',
      runtime: 'custom',
      handler: 'index.handler',
      fixture: 'hello-custom',
      http: true,
    }),
    {
      id: 'serverless-offline',
      label: 'serverless-offline 13 (serverless 3), nodejs20.x',
      start: async () => {
        const [httpPort, lambdaPort, websocketPort] = [await freePort(), await freePort(), await freePort()];
        const url = `http://127.0.0.1:${httpPort}/invoke`;
        const cli = join(BENCH_DIR, 'node_modules', 'serverless', 'bin', 'serverless.js');
        if (!existsSync(cli)) throw new Error('serverless is not installed in bench/node_modules');
        const service = await serve(
          'serverless offline',
          process.execPath,
          [
            cli,
            'offline',
            '--host',
            '127.0.0.1',
            '--httpPort',
            String(httpPort),
            '--lambdaPort',
            String(lambdaPort),
            '--websocketPort',
            String(websocketPort),
            '--noPrependStageInUrl',
          ],
          url,
          {
            cwd: join(BENCH_DIR, 'fixtures', 'serverless'),
            env: {
              ...process.env,
              AWS_ACCESS_KEY_ID: 'offline',
              AWS_SECRET_ACCESS_KEY: 'offline',
              SLS_TELEMETRY_DISABLED: '1',
              SLS_NOTIFICATIONS_MODE: 'off',
              SLS_DEPRECATION_DISABLE: '*',
            },
            timeoutMs: 60_000,
          },
        );
        return { target: { url, method: 'POST', headers: {}, body: EVENT }, stop: service.stop };
      },
    },
    {
      id: 'workerd',
      label: 'workerd (Cloudflare Workers runtime)',
      start: async () => {
        const port = await freePort();
        const url = `http://127.0.0.1:${port}/`;
        const service = await serve(
          'workerd',
          workerdBinary(),
          ['serve', 'config.capnp', '--socket-addr', `http=127.0.0.1:${port}`],
          url,
          { cwd: join(BENCH_DIR, 'fixtures', 'workerd') },
        );
        return { target: { url, method: 'POST', headers: {}, body: EVENT }, stop: service.stop };
      },
    },
  ];
}

export async function warmInvoke(kumo: Kumo, options: WarmOptions): Promise<WarmResult> {
  const rows: WarmRow[] = [];
  const skipped: WarmResult['skipped'] = [];
  for (const scenario of scenarios(kumo).filter((s) => !options.only || options.only.includes(s.id))) {
    progress(`warm: starting ${scenario.label}`);
    let started: Awaited<ReturnType<Scenario['start']>>;
    try {
      started = await scenario.start();
      await checkTarget(started.target, EXPECT);
    } catch (error) {
      const reason = (error as Error).message;
      progress(`warm: ${scenario.id} skipped: ${reason}`);
      skipped.push({ id: scenario.id, label: scenario.label, reason });
      continue;
    }
    try {
      for (const connections of options.connections) {
        const many = connections > 1;
        const result = await runLoad(started.target, connections, options.durationSeconds, {
          chunkSeconds: options.warmupSeconds,
          minSeconds: many ? options.minManyWarmupSeconds : 0,
          maxSeconds: many ? options.maxManyWarmupSeconds : options.maxWarmupSeconds,
        });
        const row: WarmRow = { id: scenario.id, label: scenario.label, ...result };
        if (started.instances) row.instances = started.instances();
        rows.push(row);
        progress(
          `warm: ${scenario.id} c=${connections}: ${result.rps.toFixed(0)} rps, p50 ${result.p50.toFixed(2)} ms, ` +
            `p99 ${result.p99.toFixed(2)} ms${result.non2xx || result.errors ? `, ${result.non2xx} non-2xx, ${result.errors} errors` : ''}`,
        );
      }
    } finally {
      await started.stop?.();
    }
  }
  return {
    options,
    rows,
    skipped,
    notes: [
      'Signed invoke requests: FC signatures cover the Date header, so one request is signed at the start of the run ' +
        "(Date fixed) and autocannon replays it unchanged; Kumo accepts a Date within 15 minutes (FC's skew window), " +
        'so the same signature verifies on every call of the scenario.',
      'Kumo functions use FC defaults (instanceConcurrency 1, so up to 30 instances per function; the CPU-aware ' +
        'scale-out of docs/scaling.md starts fewer while the cores are busy), except the "instanceConcurrency 50" ' +
        "rows: FC's setting for letting one instance serve up to 50 calls at once. Each run starts " +
        `with discarded load on the same connections, ${options.warmupSeconds} s windows until two in a row agree ` +
        `within 10 % on req/s (at most ${options.maxWarmupSeconds} s; with more than one connection at least ` +
        `${options.minManyWarmupSeconds} s and at most ${options.maxManyWarmupSeconds} s, because ~30 instances ` +
        'each seeing a thirtieth of the calls take that long to reach steady state): Kumo starts its instances and ' +
        'their JITs warm up. ' +
        '"instances" is the function\'s instance count after the run; each function is deleted (its instances ' +
        'stopped) before the next scenario.',
      'autocannon runs in its own process on the same machine; latencies are per-response hrtime measurements.',
    ],
  };
}
