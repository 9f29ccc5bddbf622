import { z } from 'zod';
import { parseInsecureRegistries, parseRegistryAuth } from './images/settings.js';
import { parseCidrList } from './sandbox/network.js';

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
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  maxZipBytes: positiveInt.default(50 * 1024 * 1024),
  maxUnzippedBytes: positiveInt.default(100 * 1024 * 1024),
  instanceStartTimeoutMs: positiveInt.default(25_000),
  instanceIdleMs: positiveInt.default(5 * 60_000),
  maxInstancesPerFunction: positiveInt.default(30),
  maxInstances: positiveInt.default(100),
  maxQueuedCalls: z.coerce.number().int().min(0).default(100),
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
  /**
   * Private IPv4 CIDRs (comma-separated) instances may reach although the network policy blocks private ranges,
   * the host's networks and the host itself (e.g. a database on the LAN); default none. See docs/security.md.
   */
  instanceAllowedCidrs: checked(parseCidrList).default(''),
});

export type KumoConfig = Readonly<z.infer<typeof configSchema>>;
export type ConfigInput = z.input<typeof configSchema>;

const ENV_NAMES: Record<keyof ConfigInput, string> = {
  host: 'KUMO_HOST',
  port: 'KUMO_PORT',
  dataDir: 'KUMO_DATA_DIR',
  accountId: 'KUMO_ACCOUNT_ID',
  region: 'KUMO_REGION',
  accessKeyId: 'KUMO_ACCESS_KEY_ID',
  accessKeySecret: 'KUMO_ACCESS_KEY_SECRET',
  sandbox: 'KUMO_SANDBOX',
  sandboxSubnet: 'KUMO_SANDBOX_SUBNET',
  sandboxNetworkPool: 'KUMO_SANDBOX_NETWORK_POOL',
  logLevel: 'KUMO_LOG_LEVEL',
  maxZipBytes: 'KUMO_MAX_ZIP_BYTES',
  maxUnzippedBytes: 'KUMO_MAX_UNZIPPED_BYTES',
  instanceStartTimeoutMs: 'KUMO_INSTANCE_START_TIMEOUT_MS',
  instanceIdleMs: 'KUMO_INSTANCE_IDLE_MS',
  maxInstancesPerFunction: 'KUMO_MAX_INSTANCES_PER_FUNCTION',
  maxInstances: 'KUMO_MAX_INSTANCES',
  maxQueuedCalls: 'KUMO_MAX_QUEUED_CALLS',
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
  instanceAllowedCidrs: 'KUMO_INSTANCE_ALLOWED_CIDRS',
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
  return Object.freeze(result.data);
}
