import { z } from 'zod';
import { parseInsecureRegistries, parseRegistryAuth } from './images/settings.js';
import { parseCidrList } from './sandbox/network.js';
import { parsePrewarm } from './sandbox/prewarm/targets.js';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const flag = z.preprocess(
  (v) => (typeof v === 'string' ? ['1', 'true', 'yes', 'on'].includes(v.trim().toLowerCase()) : v),
  z.boolean(),
);
/** A string checked by `parse` (which throws an Error saying what is wrong). */
const checked = (parse: (value: string) => unknown) =>
  z.string().superRefine((value, ctx) => {
    try {
      parse(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

/** Kumo's one validated, frozen configuration. Flags win over environment variables, which win over defaults. */
const configSchema = z.object({
  host: z.string().default('127.0.0.1'),
  port: port.default(8780),
  dataDir: z.string().default('./.kumo'),
  /** `postgres://…`: keep metadata, code and the async queue in PostgreSQL (shared by several nodes); default SQLite. */
  storeUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'KUMO_STORE_URL must be a postgres:// URL')
    .optional(),
  accountId: z
    .string()
    .regex(/^\d{1,32}$/, 'KUMO_ACCOUNT_ID must be digits')
    .optional(),
  region: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'KUMO_REGION must be lowercase letters, digits and -')
    .default('local'),
  accessKeyId: z.string().min(1).optional(),
  accessKeySecret: z.string().min(1).optional(),
  sandbox: z.enum(['auto', 'bwrap', 'process']).default('auto'),
  sandboxSubnet: z.string().default('10.213.0.0/16'),
  /** Instance networks (netns + veth) made ahead of cold starts, per sandbox kind. */
  sandboxNetworkPool: z.coerce.number().int().min(0).max(64).default(4),
  /**
   * Pre-warmed instances per built-in runtime, `nodejs20=2,python3.10=1` (docs/prewarm.md); empty or `0`: none.
   * Empty by default here (tests, embedding); `kumo serve` has its own default.
   */
  prewarm: checked(parsePrewarm).default(''),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  maxZipBytes: positiveInt.default(50 * 1024 * 1024),
  maxUnzippedBytes: positiveInt.default(100 * 1024 * 1024),
  instanceStartTimeoutMs: positiveInt.default(25_000),
  instanceIdleMs: positiveInt.default(5 * 60_000),
  maxInstancesPerFunction: positiveInt.default(30),
  maxInstances: positiveInt.default(100),
  maxQueuedCalls: z.coerce.number().int().min(0).default(100),
  /** Longest wait for a busy instance's slot before a start while the cores are taken; 0: off (docs/scaling.md). */
  scaleOutHoldMs: z.coerce.number().int().min(0).max(10_000).default(250),
  provisionIntervalMs: positiveInt.default(2000),
  provisionRetryBaseMs: positiveInt.default(1000),
  instancePidsLimit: positiveInt.default(512),
  billingGranularityMs: positiveInt.default(100),
  asyncConcurrency: positiveInt.default(10),
  asyncMaxRetries: z.coerce.number().int().min(0).max(8).default(3),
  asyncRetryBaseMs: positiveInt.default(1000),
  /** Registries (`host[:port]`, comma-separated) pulled from without TLS verification. */
  registryInsecure: checked(parseInsecureRegistries).default(''),
  /** Registry credentials: `host[:port]=user:password`, comma-separated. */
  registryAuth: checked(parseRegistryAuth).default(''),
  /** Compressed image size (config + layers) over which a custom-container image is refused; default 3 GiB. */
  imageMaxCompressedBytes: positiveInt.default(3 * 1024 * 1024 * 1024),
  imagePullTimeoutMs: positiveInt.default(10 * 60_000),
  /** Bound of one registry lookup (at function create/update and at a cold start with an unknown image). */
  imageResolveTimeoutMs: positiveInt.default(10_000),
  /** Subnet cut into one /30 per container instance (kept apart from the bwrap subnet). */
  containerSubnet: z.string().default('10.214.0.0/16'),
  /** Give containers a writable root filesystem (a per-instance overlay); default read-only with a writable /tmp. */
  containerWritableRootfs: flag.default(false),
  /** Time a client has to send a request's headers, from connecting (an idle new socket too) or from its first byte. */
  httpHeadersTimeoutMs: positiveInt.default(15_000),
  /** Time a client has to send a whole request, body included (code uploads are the largest). */
  httpRequestTimeoutMs: positiveInt.default(300_000),
  /** How long a kept-alive connection may sit idle between requests. */
  httpIdleTimeoutMs: positiveInt.default(30_000),
  /** Open connections per client address (instances on the host network all count as 127.0.0.1). */
  httpMaxConnectionsPerClient: positiveInt.default(256),
  /** Open connections in total. */
  httpMaxConnections: positiveInt.default(2048),

  // What a function may write to its log, and how long logs.db keeps it (docs/security/limits.md).
  /** Longest log line kept (FC: 32 KB); longer lines are cut with a marker. */
  logLineBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024)
    .default(32 * 1024),
  /** Sustained log output per instance; lines above it are dropped and counted. */
  logRateBytesPerSecond: positiveInt.default(1024 * 1024),
  /** Log output an instance may write at once above the sustained rate. */
  logBurstBytes: positiveInt.default(8 * 1024 * 1024),
  /** Log output per invocation; the invocation's lines beyond it are dropped and counted. */
  logCallBytes: positiveInt.default(16 * 1024 * 1024),
  /** Log lines older than this are deleted (default 7 days). */
  logRetentionMs: positiveInt.default(7 * 24 * 3600_000),
  /** logs.db is kept under this size by deleting the oldest lines (default 1 GiB). */
  logRetentionBytes: positiveInt.default(1024 * 1024 * 1024),
  /** How often retention runs. */
  logRetentionIntervalMs: positiveInt.default(60_000),
  /**
   * Private IPv4 CIDRs (comma-separated) instances may reach although the network policy blocks private ranges,
   * the host's networks and the host itself (e.g. a database on the LAN); default none. See docs/security.md.
   */
  instanceAllowedCidrs: checked(parseCidrList).default(''),
  /** The shared runtimes cache (Node.js releases); default `$XDG_CACHE_HOME/kumo/runtimes` (~/.cache/…). */
  runtimesDir: z.string().min(1).optional(),
  /** Bearer token `GET /metrics` asks for; default none (the endpoint is open, like `/healthz`). */
  metricsToken: z.string().min(1).optional(),
  /** Never download a runtime: a missing Node.js major runs on the nearest installed one, and Kumo says so. */
  runtimesOffline: flag.default(false),
  /** npm registry the Node.js releases come from; default `npm_config_registry`, else registry.npmjs.org. */
  runtimesRegistry: z.url().optional(),
  /** Bound of installing a runtime on first use (the call waits for it). */
  runtimeInstallTimeoutMs: positiveInt.default(300_000),

  // Several nodes sharing PostgreSQL (docs/cluster.md).
  /** This node's name in the cluster; default the host name and port. */
  nodeName: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'KUMO_NODE_NAME must be letters, digits, _ . : -')
    .optional(),
  /** The URL other nodes and operators reach this node at; default the address it listens on. */
  nodeUrl: z.url().optional(),
  /** How often a node refreshes its membership row. */
  clusterHeartbeatMs: positiveInt.default(2000),
  /** Heartbeats a node may miss before the others treat it as dead. */
  clusterMissedBeats: positiveInt.default(3),
  /** How long a node's claim on a running async invocation lasts without renewal (it renews every third). */
  clusterLeaseMs: z.coerce.number().int().min(1000).default(30_000),
  /** Worker processes sharing the listening socket (docs/workers.md): a count, or `auto` (one per core, up to 8). */
  workers: z.union([z.literal('auto'), z.coerce.number().int().min(1).max(64)]).default(1),
});

export type KumoConfig = Readonly<z.infer<typeof configSchema>>;
export type ConfigInput = z.input<typeof configSchema>;

const ENV_NAMES: Record<keyof ConfigInput, string> = {
  host: 'KUMO_HOST',
  port: 'KUMO_PORT',
  dataDir: 'KUMO_DATA_DIR',
  storeUrl: 'KUMO_STORE_URL',
  accountId: 'KUMO_ACCOUNT_ID',
  region: 'KUMO_REGION',
  accessKeyId: 'KUMO_ACCESS_KEY_ID',
  accessKeySecret: 'KUMO_ACCESS_KEY_SECRET',
  sandbox: 'KUMO_SANDBOX',
  sandboxSubnet: 'KUMO_SANDBOX_SUBNET',
  sandboxNetworkPool: 'KUMO_SANDBOX_NETWORK_POOL',
  prewarm: 'KUMO_PREWARM',
  logLevel: 'KUMO_LOG_LEVEL',
  maxZipBytes: 'KUMO_MAX_ZIP_BYTES',
  maxUnzippedBytes: 'KUMO_MAX_UNZIPPED_BYTES',
  instanceStartTimeoutMs: 'KUMO_INSTANCE_START_TIMEOUT_MS',
  instanceIdleMs: 'KUMO_INSTANCE_IDLE_MS',
  maxInstancesPerFunction: 'KUMO_MAX_INSTANCES_PER_FUNCTION',
  maxInstances: 'KUMO_MAX_INSTANCES',
  maxQueuedCalls: 'KUMO_MAX_QUEUED_CALLS',
  scaleOutHoldMs: 'KUMO_SCALE_OUT_HOLD_MS',
  provisionIntervalMs: 'KUMO_PROVISION_INTERVAL_MS',
  provisionRetryBaseMs: 'KUMO_PROVISION_RETRY_BASE_MS',
  instancePidsLimit: 'KUMO_INSTANCE_PIDS_LIMIT',
  billingGranularityMs: 'KUMO_BILLING_GRANULARITY_MS',
  asyncConcurrency: 'KUMO_ASYNC_CONCURRENCY',
  asyncMaxRetries: 'KUMO_ASYNC_MAX_RETRIES',
  asyncRetryBaseMs: 'KUMO_ASYNC_RETRY_BASE_MS',
  registryInsecure: 'KUMO_REGISTRY_INSECURE',
  registryAuth: 'KUMO_REGISTRY_AUTH',
  imageMaxCompressedBytes: 'KUMO_IMAGE_MAX_COMPRESSED_BYTES',
  imagePullTimeoutMs: 'KUMO_IMAGE_PULL_TIMEOUT_MS',
  imageResolveTimeoutMs: 'KUMO_IMAGE_RESOLVE_TIMEOUT_MS',
  containerSubnet: 'KUMO_CONTAINER_SUBNET',
  containerWritableRootfs: 'KUMO_CONTAINER_WRITABLE_ROOTFS',
  httpHeadersTimeoutMs: 'KUMO_HTTP_HEADERS_TIMEOUT_MS',
  httpRequestTimeoutMs: 'KUMO_HTTP_REQUEST_TIMEOUT_MS',
  httpIdleTimeoutMs: 'KUMO_HTTP_IDLE_TIMEOUT_MS',
  httpMaxConnectionsPerClient: 'KUMO_HTTP_MAX_CONNECTIONS_PER_CLIENT',
  httpMaxConnections: 'KUMO_HTTP_MAX_CONNECTIONS',

  logLineBytes: 'KUMO_LOG_LINE_BYTES',
  logRateBytesPerSecond: 'KUMO_LOG_RATE_BYTES_PER_SECOND',
  logBurstBytes: 'KUMO_LOG_BURST_BYTES',
  logCallBytes: 'KUMO_LOG_CALL_BYTES',
  logRetentionMs: 'KUMO_LOG_RETENTION_MS',
  logRetentionBytes: 'KUMO_LOG_RETENTION_BYTES',
  logRetentionIntervalMs: 'KUMO_LOG_RETENTION_INTERVAL_MS',
  instanceAllowedCidrs: 'KUMO_INSTANCE_ALLOWED_CIDRS',
  runtimesDir: 'KUMO_RUNTIMES_DIR',
  metricsToken: 'KUMO_METRICS_TOKEN',
  runtimesOffline: 'KUMO_RUNTIMES_OFFLINE',
  runtimesRegistry: 'KUMO_RUNTIMES_REGISTRY',
  runtimeInstallTimeoutMs: 'KUMO_RUNTIME_INSTALL_TIMEOUT_MS',
  nodeName: 'KUMO_NODE_NAME',
  nodeUrl: 'KUMO_NODE_URL',
  clusterHeartbeatMs: 'KUMO_CLUSTER_HEARTBEAT_MS',
  clusterMissedBeats: 'KUMO_CLUSTER_MISSED_BEATS',
  clusterLeaseMs: 'KUMO_CLUSTER_LEASE_MS',
  workers: 'KUMO_WORKERS',
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Pure: builds the config from an environment and explicit overrides (CLI flags, tests). */
export function loadConfig(env: NodeJS.ProcessEnv, overrides: Partial<ConfigInput> = {}): KumoConfig {
  const fromEnv: Record<string, string> = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const result = configSchema.safeParse({ ...fromEnv, ...defined });
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = String(issue?.path[0] ?? '');
    const name = ENV_NAMES[key as keyof ConfigInput] ?? key;
    throw new ConfigError(`invalid configuration ${key} (${name}): ${issue?.message}`);
  }
  if (!!result.data.accessKeyId !== !!result.data.accessKeySecret) {
    throw new ConfigError('KUMO_ACCESS_KEY_ID and KUMO_ACCESS_KEY_SECRET must be given together');
  }
  if (result.data.httpHeadersTimeoutMs > result.data.httpRequestTimeoutMs) {
    throw new ConfigError(
      'KUMO_HTTP_HEADERS_TIMEOUT_MS must not be larger than KUMO_HTTP_REQUEST_TIMEOUT_MS (Node refuses it)',
    );
  }
  return Object.freeze(result.data);
}
