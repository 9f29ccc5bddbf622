import type { FunctionRecord, Service } from '../model/index.js';

/** Temporary credentials handed to an instance or a call. */
export interface TemporaryCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
}

/** Everything about one call that the instance is told. */
export interface CallContext {
  requestId: string;
  fn: FunctionRecord;
  service: Service;
  qualifier: string;
  /** The published version the call runs; undefined for LATEST. */
  versionId?: string;
  region: string;
  accountId: string;
  credentials: TemporaryCredentials;
  retryCount?: number;
}

/**
 * The `X-Fc-*` headers of FC_RUNTIME.md §1.3 that are the same on every call to an instance, in FC's canonical
 * casing (some runtimes compare case-sensitively).
 */
export function staticFcHeaders(ctx: CallContext, instanceId: string): Record<string, string> {
  const { fn, service } = ctx;
  return {
    'X-Fc-Access-Key-Id': ctx.credentials.accessKeyId,
    'X-Fc-Access-Key-Secret': ctx.credentials.accessKeySecret,
    'X-Fc-Security-Token': ctx.credentials.securityToken,
    'X-Fc-Function-Name': fn.functionName,
    'X-Fc-Function-Handler': fn.handler ?? '',
    'X-Fc-Function-Memory': String(fn.memorySize),
    'X-Fc-Function-Timeout': String(fn.timeout),
    'X-Fc-Function-Initializer': fn.initializer ?? '',
    'X-Fc-Initialization-Timeout': String(fn.initializationTimeout),
    'X-Fc-Service-Name': service.serviceName,
    'X-Fc-Service-Logproject': service.logConfig?.project ?? '',
    'X-Fc-Service-Logstore': service.logConfig?.logstore ?? '',
    'X-Fc-Region': ctx.region,
    'X-Fc-Account-Id': ctx.accountId,
    'X-Fc-Qualifier': ctx.qualifier,
    'X-Fc-Version-Id': ctx.versionId ?? '',
    'X-Fc-Instance-Id': instanceId,
  };
}

/** The static headers plus the ones that change with each call. */
export function perCallFcHeaders(
  fixed: Record<string, string>,
  ctx: CallContext,
  controlPath: string,
): Record<string, string> {
  return {
    'X-Fc-Request-Id': ctx.requestId,
    ...fixed,
    'X-Fc-Control-Path': controlPath,
    'X-Fc-Retry-Count': String(ctx.retryCount ?? 0),
  };
}

/**
 * The instance's environment (FC_RUNTIME.md §1.6): the runtime's FC defaults (`PATH`, `LD_LIBRARY_PATH` …, see
 * docs/environment.md), then the function's own variables, then FC's reserved ones. The sandbox adds the port
 * and code path variables.
 */
export function instanceEnv(
  ctx: Omit<CallContext, 'requestId'>,
  instanceId: string,
  defaults: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const { fn } = ctx;
  return {
    ...defaults,
    ...fn.environmentVariables,
    FC_FUNCTION_NAME: fn.functionName,
    FC_FUNCTION_HANDLER: fn.handler ?? '',
    FC_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    FC_FUNCTION_INITIALIZER: fn.initializer ?? '',
    FC_TIMEOUT: String(fn.timeout),
    FC_INITIALIZATION_TIMEOUT: String(fn.initializationTimeout),
    FC_SERVICE_NAME: ctx.service.serviceName,
    FC_QUALIFIER: ctx.qualifier,
    FC_FUNCTION_VERSION: ctx.versionId ?? 'LATEST',
    FC_VER_ID: ctx.versionId ?? 'LATEST',
    FC_REGION: ctx.region,
    FC_ACCOUNT_ID: ctx.accountId,
    FC_INSTANCE_ID: instanceId,
    FC_RUNTIME: fn.runtime,
    ALIBABA_CLOUD_ACCESS_KEY_ID: ctx.credentials.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: ctx.credentials.accessKeySecret,
    ALIBABA_CLOUD_SECURITY_TOKEN: ctx.credentials.securityToken,
  };
}
