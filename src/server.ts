import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Logger, pino } from 'pino';
import {
  type Credentials,
  createApp,
  KeyRing,
  listenQuietly,
  resolveSharedCredentials,
  serveInstanceExec,
} from './api/index.js';
import { applyChanges, ClusterNode, registerNodeRoutes, withClusterNotices } from './cluster/index.js';
import { CodeStore, collectUnusedCode, LayerMerges } from './code/index.js';
import type { KumoConfig } from './config.js';
import { createControl, layerPackages } from './control/index.js';
import { DomainTable, registerGateway } from './gateway/index.js';
import { ImageStore, registrySettings } from './images/index.js';
import { AsyncWorker, Invoker, Provisioner, poolKeyOf } from './invoke/index.js';
import { Metrics } from './metrics/index.js';
import { checkContainerFunction, containerImageStatus, createRuntimeRegistry } from './runtimes/index.js';
import {
  CompositeSandbox,
  detectSandbox,
  parseCidrList,
  RuncSandbox,
  runcUnavailableReason,
  type Sandbox,
  sweepLeftovers,
} from './sandbox/index.js';
import { Scheduler } from './scheduler/index.js';
import { ServerHealth } from './server-health.js';
import { withPrewarmPools } from './server-prewarm.js';
import { openLogStore, storeProblem, writeCodeBoundary } from './server-startup.js';
import { SqliteMetaStore } from './store/index.js';
import { PostgresMetaStore } from './store/postgres/index.js';
import { TimerTriggers } from './triggers/index.js';
import type { WorkerSeam } from './workers/worker-seam.js';

export interface KumoServer {
  /** Base URL, e.g. http://127.0.0.1:8780 */
  url: string;
  port: number;
  credentials: Credentials;
  sandbox: Sandbox;
  logger: Logger;
  /** Metrics, readiness and the draining switch (`close` drains too). */
  health: ServerHealth;
  /** Instances running or starting right now. */
  instanceCount(): number;
  /** Stops accepting calls, drains in-flight requests, stops instances, closes the stores. */
  close(): Promise<void>;
}

/** The composition root: builds every subsystem from one config and starts listening. */
export async function startServer(
  config: KumoConfig,
  logger: Logger = pino({ level: config.logLevel }),
  /** Set when this process is one worker of `kumo serve --workers N` (docs/workers.md). */
  worker?: WorkerSeam,
): Promise<KumoServer> {
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // PostgreSQL when nodes share a store (docs/postgres.md), else the embedded SQLite file.
  const shared = config.storeUrl ? await PostgresMetaStore.open(config.storeUrl) : undefined;
  const credentials = await resolveSharedCredentials({ ...config, dataDir }, shared?.settings);
  const keys = new KeyRing();
  keys.add(credentials.accessKeyId, { secret: credentials.accessKeySecret });

  const store = shared ?? new SqliteMetaStore(join(dataDir, 'meta.db'));
  const metrics = new Metrics();
  // Several nodes sharing PostgreSQL (docs/cluster.md).
  const cluster = config.storeUrl ? await ClusterNode.start(config, logger) : undefined;
  const asyncQueue = cluster ? await cluster.leasedQueue(store.asyncQueue) : store.asyncQueue;
  const logs = await openLogStore(dataDir, config, logger);
  const code = new CodeStore(
    join(dataDir, 'code'),
    { maxZipBytes: config.maxZipBytes, maxUnzippedBytes: config.maxUnzippedBytes, maxEntries: 100_000 },
    shared?.codeBlobs,
  );
  writeCodeBoundary(join(dataDir, 'code'));
  await collectUnusedCode(code, (sha256) => store.codeReferences(sha256), logger);
  const swept = await sweepLeftovers({ stateDir: join(dataDir, 'containers') });
  if (swept.length > 0) logger.info({ removed: swept }, 'removed leftovers of Kumo processes that died');
  const network = {
    allowedCidrs: parseCidrList(config.instanceAllowedCidrs),
    otherSubnets: [config.sandboxSubnet, config.containerSubnet],
  };
  // Functions run in bwrap (or plain processes); custom-container images only ever in runc (prepared lazily).
  const containers =
    runcUnavailableReason() ??
    new RuncSandbox({
      stateDir: join(dataDir, 'containers'),
      subnet: config.containerSubnet,
      writableRootfs: config.containerWritableRootfs,
      networkPool: config.sandboxNetworkPool,
      ...network,
    });
  const processes = await detectSandbox({
    mode: config.sandbox,
    subnet: config.sandboxSubnet,
    networkPool: config.sandboxNetworkPool,
    ...network,
  });
  const images = new ImageStore({
    dir: join(dataDir, 'images'),
    registries: registrySettings(config.registryInsecure, config.registryAuth),
    maxCompressedBytes: config.imageMaxCompressedBytes,
    pullTimeoutMs: config.imagePullTimeoutMs,
    resolveTimeoutMs: config.imageResolveTimeoutMs,
  });
  const runtimes = createRuntimeRegistry(
    { images, sandboxReason: () => sandbox.containerReason },
    {
      dir: config.runtimesDir,
      offline: config.runtimesOffline,
      installTimeoutMs: config.runtimeInstallTimeoutMs,
      registry: config.runtimesRegistry,
      serverLog: (line) => logger.info(line),
    },
  );
  // Pre-warmed pools (docs/prewarm.md) wrap the process sandbox; they need the runtimes' start specs.
  const sandbox = new CompositeSandbox(
    await withPrewarmPools(processes, runtimes, config, logger, metrics),
    containers,
  );
  logger.debug({ sandbox: sandbox.kind, reason: sandbox.reason }, `sandbox: ${sandbox.kind}`);
  const imageLog = (serviceName: string, functionName: string) => (message: string) =>
    logs.append({
      time: Date.now(),
      serviceName,
      functionName,
      qualifier: 'LATEST',
      requestId: '',
      instanceId: '',
      message,
    });
  const layerHome = { accountId: credentials.accountId, region: config.region };
  const layerMerges = new LayerMerges(code, join(dataDir, 'code', 'layers'));
  const scheduler = new Scheduler(sandbox, logs, config, logger, metrics);
  const health = new ServerHealth(metrics, scheduler, store, storeProblem(store));
  const invoker = new Invoker({
    scheduler,
    runtimes,
    codeDir: (sha256) => code.unpackedDir(sha256),
    layersDir: async (arns, reserved) =>
      layerMerges.mergedDir(await layerPackages(store, layerHome, arns), reserved),
    mintCredentials: (serviceName, ttlMs) => {
      const random = randomBytes(68); // one call: this runs on every invocation
      const minted = {
        accessKeyId: `STS.${random.subarray(0, 12).toString('hex')}`,
        accessKeySecret: random.subarray(12, 36).toString('base64url'),
        securityToken: random.subarray(36).toString('base64url'),
      };
      keys.add(minted.accessKeyId, {
        secret: minted.accessKeySecret,
        securityToken: minted.securityToken,
        serviceName,
        expiresAt: Date.now() + ttlMs,
      });
      return minted;
    },
    revokeCredentials: (accessKeyId) => keys.remove(accessKeyId),
    logs,
    region: config.region,
    accountId: credentials.accountId,
    billingGranularityMs: config.billingGranularityMs,
    pidsLimit: config.instancePidsLimit,
    observer: metrics,
    onDemandCap: (call) => {
      const cap = store.capacity.getOnDemandConfig({
        serviceName: call.service.serviceName,
        qualifier: call.qualifier,
        functionName: call.fn.functionName,
      })?.maximumInstanceCount;
      return cap === undefined || !worker ? cap : worker.capShare(call, cap);
    },
  });
  const provisioned = { accountId: credentials.accountId, logger, share: cluster?.share };
  const provisioner = new Provisioner(
    { store, scheduler, calls: invoker.calls, ...provisioned },
    {
      intervalMs: config.provisionIntervalMs,
      baseBackoffMs: config.provisionRetryBaseMs,
      maxBackoffMs: 60_000,
    },
  );

  const domains = new DomainTable();
  await domains.load(store);
  const control = createControl({
    store,
    asyncConfigs: store.asyncConfigs,
    code,
    accountId: credentials.accountId,
    region: config.region,
    checkRuntime: (runtime) => runtimes.check(runtime),
    checkFunction: (fn) => {
      const substitution = runtimes.substitution(fn.runtime);
      if (substitution) {
        logger.warn(
          { service: fn.serviceName, function: fn.functionName, runtime: fn.runtime },
          substitution,
        );
      }
      return checkContainerFunction(images, fn, imageLog(fn.serviceName, fn.functionName));
    },
    ...withClusterNotices(cluster, {
      onFunctionChanged: (serviceName, functionName, versionId, revision) => {
        scheduler.retire(poolKeyOf(serviceName, functionName, versionId), revision);
        health.functionChanged(serviceName, functionName);
      },
      onTriggerChanged: (trigger, deleted) => timers.update(trigger, deleted),
      onCustomDomainChanged: (domain, deleted) => domains.update(domain, deleted),
      onProvisionChanged: () => provisioner.notify(),
    }),
    maxInstancesPerFunction: config.maxInstancesPerFunction,
    provisionStatus: (provision) => provisioner.status(provision),
  });
  const app = createApp({
    config,
    credentials,
    keys,
    control,
    store,
    code,
    logs: cluster ? cluster.logsAcrossNodes(logs, credentials) : logs,
    logger,
    metrics,
    invoker,
    asyncQueue,
    onAsyncEnqueued: () => asyncWorker.notify(),
    onAsyncStop: (requestId) => asyncWorker.stop(requestId),
    notReady: () => health.notReady(),
    imageStatus: (fn) => containerImageStatus(images, fn),
    runtimeNote: (runtime) => runtimes.substitution(runtime),
    rewriteUrl: (url, host) => domains.rewrite(url, host),
    instances: (poolKey) => scheduler.instances(poolKey),
    cluster: cluster?.instancesAcrossNodes(credentials),
  });
  registerGateway(app, { store, invoker, keys, domains });
  const self = registerNodeRoutes(app, cluster, config.nodeName);
  serveInstanceExec(app, {
    keys,
    store,
    logger,
    findInstance: (poolKey, id) => scheduler.instances(poolKey).find((i) => i.id === id)?.handle,
  });
  const timers = new TimerTriggers(store, invoker, logger, cluster?.claimTick);
  await timers.start();
  cluster?.follow(applyChanges(store, { scheduler, timers, domains, provisioner }, logger));
  const asyncWorker = new AsyncWorker(asyncQueue, store.asyncConfigs, store, invoker, logger, {
    concurrency: config.asyncConcurrency,
    maxRetries: config.asyncMaxRetries,
    baseDelayMs: config.asyncRetryBaseMs,
    pollMs: 500,
    leaseRenewMs: Math.floor(config.clusterLeaseMs / 3),
    home: { region: config.region, accountId: credentials.accountId },
    onAttempt: (result) => metrics.asyncAttempt(result),
  });
  await asyncWorker.start();
  provisioner.start();
  await listenQuietly(app, { host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host}:${port}`;
  const joinAt = async (nodeUrl: string) => cluster?.join(self.listening(nodeUrl));
  await (worker ? worker.start({ app, scheduler, url, join: joinAt }) : joinAt(url));

  let closing: Promise<void> | undefined;
  const close = () => {
    health.drain();
    closing ??= (async () => {
      timers.close();
      await app.close();
      await worker?.close();
      await asyncWorker.close();
      await provisioner.close();
      await images.close();
      await scheduler.close();
      await sandbox.close();
      await logs.close();
      await cluster?.close();
      await store.close();
    })();
    return closing;
  };
  return {
    url,
    port,
    credentials,
    sandbox,
    logger,
    health,
    instanceCount: () => scheduler.instanceCount,
    close,
  };
}
