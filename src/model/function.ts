import { z } from 'zod';
import { FcError, invalidArgument } from './errors.js';
import { functionLayers } from './layer.js';
import { DEFAULTS, LIMITS, NAME_PATTERN } from './limits.js';
import { isKnownRuntime } from './runtimes.js';

// The fc2 SDK sends sizes as ints, Funcraft sometimes as numeric strings: accept both.
const integer = (field: string, min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v),
    z
      .number({ error: `${field} must be an integer` })
      .int(`${field} must be an integer`)
      .min(min, `${field} must be between ${min} and ${max}`)
      .max(max, `${field} must be between ${min} and ${max}`),
  );

const entryPoint = (field: string) =>
  z.string().max(LIMITS.nameMaxLength).regex(/^\S+$/, `${field} must be a non-empty string without spaces`);

const ENV_KEY = /^[a-zA-Z][a-zA-Z0-9_]*$/;
const environmentVariables = z
  .record(
    z.string().regex(ENV_KEY, 'environmentVariables keys must start with a letter and use [A-Za-z0-9_]'),
    z.preprocess((v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v), z.string()),
  )
  .refine(
    (env) =>
      Object.entries(env).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0) <=
      LIMITS.environmentBytesMax,
    `environmentVariables must not exceed ${LIMITS.environmentBytesMax} bytes in total`,
  );

const jsonArrayString = (field: string) =>
  z
    .string()
    .max(LIMITS.jsonStringMaxLength)
    .refine((s) => {
      if (s === '') return true;
      try {
        const parsed: unknown = JSON.parse(s);
        return Array.isArray(parsed) && parsed.every((x) => typeof x === 'string');
      } catch {
        return false;
      }
    }, `${field} must be a JSON array of strings given as a string, e.g. '["node","server.js"]'`);

// Every string and list is bounded (see LIMITS); unknown keys are dropped by zod at every level.
const id = z.string().max(LIMITS.identifierMaxLength);
const ref = z.string().max(LIMITS.referenceMaxLength);
const argumentList = z.array(z.string().max(LIMITS.argumentMaxLength)).max(LIMITS.listEntriesMax);
const seconds = (field: string) => integer(field, 0, LIMITS.timeoutMaxSeconds);

const customHealthCheckConfig = z.object({
  httpGetUrl: ref.optional(),
  initialDelaySeconds: seconds('customHealthCheckConfig.initialDelaySeconds').optional(),
  periodSeconds: seconds('customHealthCheckConfig.periodSeconds').optional(),
  timeoutSeconds: seconds('customHealthCheckConfig.timeoutSeconds').optional(),
  failureThreshold: integer('customHealthCheckConfig.failureThreshold', 0, 1000).optional(),
  successThreshold: integer('customHealthCheckConfig.successThreshold', 0, 1000).optional(),
});

const customDNS = z.object({
  nameServers: z.array(id).max(LIMITS.listEntriesMax).optional(),
  searches: z.array(id).max(LIMITS.listEntriesMax).optional(),
  dnsOptions: z
    .array(z.object({ name: id.optional(), value: id.optional() }))
    .max(LIMITS.listEntriesMax)
    .optional(),
});

// Typed (not loose) so Funcraft's `InstanceLifecycleConfig{PreStop{Handler}}` comes back in FC's lowerCamel.
const lifecycleHook = z.object({
  handler: id.optional(),
  timeout: integer('instanceLifecycleConfig timeout', 0, LIMITS.timeoutMaxSeconds).optional(),
});

/** Fields a caller may set on a function (createFunction / updateFunction bodies, without `code`). */
export const functionFields = z.object({
  description: z.string().max(LIMITS.descriptionMaxLength).optional(),
  runtime: id.optional(),
  handler: entryPoint('handler').optional(),
  initializer: z.union([entryPoint('initializer'), z.literal('')]).optional(),
  initializationTimeout: integer(
    'initializationTimeout',
    1,
    LIMITS.initializationTimeoutMaxSeconds,
  ).optional(),
  memorySize: integer('memorySize', LIMITS.memoryMinMb, LIMITS.memoryMaxMb)
    .refine((m) => m % LIMITS.memoryStepMb === 0, `memorySize must be a multiple of ${LIMITS.memoryStepMb}`)
    .optional(),
  timeout: integer('timeout', LIMITS.timeoutMinSeconds, LIMITS.timeoutMaxSeconds).optional(),
  instanceConcurrency: integer('instanceConcurrency', 1, LIMITS.instanceConcurrencyMax).optional(),
  instanceSoftConcurrency: integer('instanceSoftConcurrency', 1, LIMITS.instanceConcurrencyMax).optional(),
  instanceType: id.optional(),
  cpu: z.number().optional(),
  diskSize: z.number().int().optional(),
  gpuMemorySize: z.number().int().optional(),
  environmentVariables: environmentVariables.optional(),
  caPort: integer('caPort', 1, 65535).optional(),
  customRuntimeConfig: z
    .object({ command: argumentList.optional(), args: argumentList.optional() })
    .optional(),
  customContainerConfig: z
    .object({
      image: ref.optional(),
      command: jsonArrayString('customContainerConfig.command').optional(),
      args: jsonArrayString('customContainerConfig.args').optional(),
      accelerationType: id.optional(),
      instanceID: id.optional(),
      webServerMode: z.boolean().optional(),
    })
    .optional(),
  customHealthCheckConfig: customHealthCheckConfig.optional(),
  customDNS: customDNS.optional(),
  instanceLifecycleConfig: z
    .object({ preFreeze: lifecycleHook.optional(), preStop: lifecycleHook.optional() })
    .optional(),
  // ARNs of published layer versions; the control layer checks that they exist.
  layers: functionLayers.optional(),
});

const codeSchema = z.object({
  // Bounded by the route's body limit (the code package size, base64).
  zipFile: z.string().optional(),
  ossBucketName: id.optional(),
  ossObjectName: ref.optional(),
});

export const updateFunctionBody = functionFields.extend({ code: codeSchema.optional() });
export const createFunctionBody = updateFunctionBody.extend({
  functionName: z.string().regex(NAME_PATTERN, `functionName must match ${NAME_PATTERN.source}`),
});

export type FunctionFields = z.infer<typeof functionFields>;
export type CodeInput = z.infer<typeof codeSchema>;

/** What Kumo keeps about a function's code package. */
export interface CodeRef {
  sha256: string;
  codeSize: number;
  codeChecksum: string;
}

/** A function as stored. `toFunctionResponse` turns it into what the API returns. */
export interface FunctionRecord extends FunctionFields {
  serviceName: string;
  functionName: string;
  functionId: string;
  runtime: string;
  memorySize: number;
  timeout: number;
  instanceConcurrency: number;
  initializationTimeout: number;
  caPort: number;
  environmentVariables: Record<string, string>;
  code: CodeRef | null;
  createdTime: string;
  lastModifiedTime: string;
}

export function applyFunctionDefaults(fields: FunctionFields): Omit<FunctionFields, 'runtime'> & {
  memorySize: number;
  timeout: number;
  instanceConcurrency: number;
  initializationTimeout: number;
  caPort: number;
  environmentVariables: Record<string, string>;
} {
  return {
    ...fields,
    memorySize: fields.memorySize ?? DEFAULTS.memorySize,
    timeout: fields.timeout ?? DEFAULTS.timeout,
    instanceConcurrency: fields.instanceConcurrency ?? DEFAULTS.instanceConcurrency,
    initializationTimeout: fields.initializationTimeout ?? DEFAULTS.initializationTimeout,
    caPort: fields.caPort ?? DEFAULTS.caPort,
    environmentVariables: fields.environmentVariables ?? {},
  };
}

/** Checks that need several fields at once (after an update is merged onto the stored function). */
export function checkFunctionConsistency(fn: FunctionRecord): void {
  if (!isKnownRuntime(fn.runtime)) {
    throw invalidArgument(`Runtime is set to an invalid value: '${fn.runtime}'`);
  }
  const isContainer = fn.runtime === 'custom-container';
  const isCustom = fn.runtime.startsWith('custom');
  if (!isCustom && !fn.handler) throw invalidArgument(`handler is required for runtime ${fn.runtime}`);
  if (fn.runtime === 'go1' && fn.handler && !/^(?!\/)(?!(.*\/)?\.\.(\/|$)).+$/.test(fn.handler)) {
    throw invalidArgument(`handler '${fn.handler}' must name the executable in the code (e.g. main)`);
  }
  const namesExecutable = fn.runtime === 'go1'; // go1: the handler is the executable's name (`main`)
  if (
    !isCustom &&
    !namesExecutable &&
    fn.handler &&
    !/^.+\.[^.]+$/.test(fn.handler) &&
    !fn.handler.includes('::')
  ) {
    throw invalidArgument(`handler '${fn.handler}' must have the form file.function (e.g. index.handler)`);
  }
  if (isContainer && !fn.customContainerConfig?.image) {
    throw invalidArgument('customContainerConfig.image is required for runtime custom-container');
  }
  if (isContainer && fn.layers?.length) {
    throw invalidArgument(
      'layers are not supported for runtime custom-container: put the files in the image',
    );
  }
  if (!isContainer && !fn.code) throw invalidArgument('code is required: give code.zipFile (a base64 zip)');
}

/** The API's view of a function: stored fields minus the internal code reference. */
export function toFunctionResponse(fn: FunctionRecord): Record<string, unknown> {
  const { code, serviceName: _service, ...rest } = fn;
  return {
    ...rest,
    handler: fn.handler ?? '',
    initializer: fn.initializer ?? '',
    description: fn.description ?? '',
    codeSize: code?.codeSize ?? 0,
    codeChecksum: code?.codeChecksum ?? '',
    layers: fn.layers ?? [],
    layersArnV2: fn.layers ?? [],
  };
}

export function rejectOssCode(code: CodeInput): void {
  if (code.ossBucketName || code.ossObjectName) {
    throw new FcError(
      'InvalidArgument',
      'code.ossBucketName/ossObjectName is not supported by Kumo (there is no OSS here): send code.zipFile',
    );
  }
}
