import { type FunctionRecord, invalidArgument, isPlainObject, type Service } from '../../model/index.js';
import { fc3NameOf } from './names.js';

/** FC 3.0's function-level fields that Kumo keeps on the function's service (FC 2.0's home for them). */
const SERVICE_FIELDS = [
  'role',
  'logConfig',
  'vpcConfig',
  'nasConfig',
  'ossMountConfig',
  'internetAccess',
  'tracingConfig',
] as const;

/** FC 3.0 fields that are FC 2.0's function fields as they are. */
const SAME_FIELDS = [
  'description',
  'runtime',
  'handler',
  'timeout',
  'memorySize',
  'cpu',
  'diskSize',
  'instanceConcurrency',
  'environmentVariables',
  'layers',
  'customDNS',
] as const;

type Json = Record<string, unknown>;

export interface Fc2Parts {
  /** Fields for the service (only those given). */
  service: Json;
  /** FC 2.0's createFunction/updateFunction body (only the fields given). */
  fn: Json;
  /** `code.checksum`: the CRC-64 the caller computed over its zip. */
  codeChecksum?: string;
}

/** An FC 3.0 CreateFunctionInput/UpdateFunctionInput as FC 2.0's service and function fields. */
export function fc3InputToFc2(body: Json): Fc2Parts {
  const service: Json = {};
  const fn: Json = {};
  for (const key of SERVICE_FIELDS) if (body[key] !== undefined) service[key] = body[key];
  for (const key of SAME_FIELDS) if (body[key] !== undefined) fn[key] = body[key];
  if (body.functionName !== undefined) fn.functionName = body.functionName;
  let codeChecksum: string | undefined;
  if (body.code !== undefined) {
    const code = objectField(body, 'code');
    const { checksum, ...location } = code;
    if (checksum !== undefined && typeof checksum !== 'string')
      throw invalidArgument('code.checksum must be a string');
    codeChecksum = checksum || undefined;
    fn.code = location;
  }
  mapLifecycle(body, fn);
  mapCustomConfigs(body, fn);
  return { service, fn, ...(codeChecksum !== undefined && { codeChecksum }) };
}

function mapLifecycle(body: Json, fn: Json): void {
  if (body.instanceLifecycleConfig === undefined) return;
  const lifecycle = objectField(body, 'instanceLifecycleConfig');
  if (lifecycle.initializer !== undefined) {
    const initializer = objectField(lifecycle, 'initializer', 'instanceLifecycleConfig.');
    fn.initializer = initializer.handler ?? '';
    if (initializer.timeout !== undefined) fn.initializationTimeout = initializer.timeout;
  }
  const { initializer: _i, ...hooks } = lifecycle;
  fn.instanceLifecycleConfig = hooks;
}

/** FC 3.0's `port`, `entrypoint`/`command` arrays → FC 2.0's `caPort` and JSON-string `command`/`args`. */
function mapCustomConfigs(body: Json, fn: Json): void {
  if (body.customContainerConfig !== undefined) {
    const { image, entrypoint, command, port, accelerationType, healthCheckConfig } = objectField(
      body,
      'customContainerConfig',
    );
    fn.customContainerConfig = {
      image,
      accelerationType,
      ...(entrypoint !== undefined && { command: JSON.stringify(entrypoint) }),
      ...(command !== undefined && { args: JSON.stringify(command) }),
    };
    if (port !== undefined) fn.caPort = port;
    if (healthCheckConfig !== undefined) fn.customHealthCheckConfig = healthCheckConfig;
  }
  if (body.customRuntimeConfig !== undefined) {
    const { command, args, port, healthCheckConfig } = objectField(body, 'customRuntimeConfig');
    fn.customRuntimeConfig = { command, args };
    if (port !== undefined) fn.caPort = port;
    if (healthCheckConfig !== undefined) fn.customHealthCheckConfig = healthCheckConfig;
  }
}

function objectField(body: Json, key: string, path = ''): Json {
  const value = body[key];
  if (!isPlainObject(value)) throw invalidArgument(`${path}${key} must be an object`);
  return value as Json;
}

export interface Fc3Context {
  accountId: string;
  region: string;
}

/** FC 2.0's service + function as FC 3.0's Function. */
export function toFc3Function(service: Service, fn: FunctionRecord, context: Fc3Context): Json {
  const name = fc3NameOf(service, service.serviceName, fn.functionName);
  const isContainer = fn.runtime === 'custom-container';
  const isCustom = fn.runtime.startsWith('custom') && !isContainer;
  const healthCheckConfig = fn.customHealthCheckConfig;
  return {
    functionName: name,
    functionArn: `acs:fc:${context.region}:${context.accountId}:functions/${name}`,
    functionId: fn.functionId,
    fcVersion: service.fcVersion ?? 'v2',
    description: fn.description ?? '',
    runtime: fn.runtime,
    handler: fn.handler ?? '',
    timeout: fn.timeout,
    memorySize: fn.memorySize,
    cpu: fn.cpu ?? cpuFor(fn.memorySize),
    diskSize: fn.diskSize ?? 512,
    instanceConcurrency: fn.instanceConcurrency,
    environmentVariables: fn.environmentVariables,
    codeSize: fn.code?.codeSize ?? 0,
    codeChecksum: fn.code?.codeChecksum ?? '',
    createdTime: fn.createdTime,
    lastModifiedTime: fn.lastModifiedTime,
    role: service.role ?? '',
    internetAccess: service.internetAccess ?? true,
    ...(service.logConfig && { logConfig: service.logConfig }),
    ...(service.vpcConfig && { vpcConfig: service.vpcConfig }),
    ...(service.nasConfig && { nasConfig: service.nasConfig }),
    ...(service.ossMountConfig && { ossMountConfig: service.ossMountConfig }),
    ...(service.tracingConfig && { tracingConfig: service.tracingConfig }),
    layers: (fn.layers ?? []).map((arn) => ({ arn })),
    instanceLifecycleConfig: {
      ...fn.instanceLifecycleConfig,
      initializer: { handler: fn.initializer ?? '', timeout: fn.initializationTimeout },
    },
    ...(isContainer && {
      customContainerConfig: {
        image: fn.customContainerConfig?.image,
        entrypoint: jsonArray(fn.customContainerConfig?.command),
        command: jsonArray(fn.customContainerConfig?.args),
        port: fn.caPort,
        ...(fn.customContainerConfig?.accelerationType && {
          accelerationType: fn.customContainerConfig.accelerationType,
        }),
        ...(healthCheckConfig && { healthCheckConfig }),
      },
    }),
    ...(isCustom && {
      customRuntimeConfig: {
        command: fn.customRuntimeConfig?.command ?? [],
        args: fn.customRuntimeConfig?.args ?? [],
        port: fn.caPort,
        ...(healthCheckConfig && { healthCheckConfig }),
      },
    }),
    ...(fn.customDNS && { customDNS: fn.customDNS }),
    state: 'Active',
    lastUpdateStatus: 'Successful',
  };
}

/** FC 3.0 reports vCPUs: FC's default ratio is 1 vCPU per 2 GB (its minimum 0.05). */
function cpuFor(memorySize: number): number {
  return Math.max(0.05, Math.round((memorySize / 2048) * 100) / 100);
}

function jsonArray(value: string | undefined): string[] {
  if (!value) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}
