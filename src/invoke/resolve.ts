import { type CodeRef, FcError, type FunctionRecord, type Service, type Trigger } from '../model/index.js';
import type { MetaStore, Stored } from '../store/index.js';

/** The qualifier every unqualified reference means: the function as last deployed. */
export const LATEST = 'LATEST';

/** What a call names: `svc`, `svc.LATEST`, `svc.1` or `svc.prod`, plus an optional separate qualifier. */
export interface TargetRef {
  /** A service name, optionally with `.{qualifier}` (FC's `services/{svc}.{q}` path segment). */
  serviceRef: string;
  functionName: string;
  /** A qualifier given apart from the service (FC's `?qualifier=`, a trigger's or a route's qualifier). */
  qualifier?: string;
}

/** Exactly what a call runs: every caller (API, gateway, async worker, timers) gets its answer from here. */
export interface InvokeTarget {
  service: Service;
  fn: FunctionRecord;
  code: CodeRef | null;
  /** Changes whenever what runs changes (today the function's etag; later a published version's). */
  revision: string;
  /** The qualifier as the caller gave it (`LATEST`, a version id or an alias name). */
  qualifier: string;
  /** The published version the qualifier points at; undefined for LATEST (nothing published). */
  versionId: string | undefined;
  /** The function's HTTP trigger, for calls that come through one (`resolveHttpTarget`). */
  httpTrigger?: Trigger;
}

/** A target reached over HTTP: its trigger decides who may call and with which methods. */
export type HttpInvokeTarget = InvokeTarget & { httpTrigger: Trigger };

/** `svc.q` → `{serviceName: 'svc', qualifier: 'q'}`; a separate qualifier must agree with one in the ref. */
export function parseServiceRef(
  serviceRef: string,
  qualifier?: string,
): { serviceName: string; qualifier: string } {
  const dot = serviceRef.indexOf('.');
  const serviceName = dot < 0 ? serviceRef : serviceRef.slice(0, dot);
  const inRef = dot < 0 ? '' : serviceRef.slice(dot + 1);
  const given = qualifier ?? '';
  if (inRef !== '' && given !== '' && inRef !== given) {
    throw new FcError(
      'InvalidArgument',
      `qualifier '${given}' contradicts the qualifier '${inRef}' in '${serviceRef}': give one of them`,
    );
  }
  return { serviceName, qualifier: inRef || given || LATEST };
}

/** A service by reference (`svc` or `svc.q`), with FC's not-found errors for it and its qualifier. */
export async function resolveService(
  store: MetaStore,
  serviceRef: string,
  qualifier?: string,
): Promise<{ service: Stored<Service>; qualifier: string; versionId: string | undefined }> {
  const ref = parseServiceRef(serviceRef, qualifier);
  const service = serviceOrThrow(await store.getService(ref.serviceName), ref.serviceName);
  return { service, qualifier: ref.qualifier, versionId: resolveQualifier(ref.serviceName, ref.qualifier) };
}

/**
 * Service → qualifier → version → function. Reads only the store's cached lookups, so the hot path costs no
 * SQLite round trip once a function has been called (and no more awaits than the two lookups).
 */
export async function resolveTarget(store: MetaStore, ref: TargetRef): Promise<InvokeTarget> {
  const { serviceName, qualifier } = parseServiceRef(ref.serviceRef, ref.qualifier);
  const service = serviceOrThrow(await store.getService(serviceName), serviceName);
  const versionId = resolveQualifier(serviceName, qualifier);
  const fn = await store.getFunction(serviceName, ref.functionName);
  if (!fn) {
    throw new FcError(
      'FunctionNotFound',
      `function '${ref.functionName}' does not exist in service '${serviceName}'`,
    );
  }
  return {
    service: service.value,
    fn: fn.value,
    code: fn.value.code,
    revision: fn.etag,
    qualifier,
    versionId,
  };
}

/**
 * A call through an HTTP trigger (proxy path or custom domain): the target and its HTTP trigger. A missing
 * service, function or trigger is `TriggerNotFound`, since from the caller's side it is the trigger's URL that
 * does not exist; an unknown qualifier keeps its own error.
 */
export async function resolveHttpTarget(store: MetaStore, ref: TargetRef): Promise<HttpInvokeTarget> {
  const target = await resolveTarget(store, ref).catch((error: unknown) => {
    throw isMissing(error) ? noHttpTrigger(ref) : error;
  });
  const httpTrigger = await store.httpTrigger(target.service.serviceName, target.fn.functionName);
  if (!httpTrigger) throw noHttpTrigger(ref);
  return { ...target, httpTrigger };
}

/** FC's answers for a reference that names nothing (as opposed to a malformed one or a store failure). */
const GONE = new Set(['ServiceNotFound', 'FunctionNotFound', 'VersionNotFound', 'AliasNotFound']);

/**
 * True when a stored reference (a queued async call, a timer) no longer resolves: retrying cannot help. The
 * HTTP-trigger lookup answers TriggerNotFound only for service and function.
 */
export function isTargetGone(error: unknown): error is FcError {
  return error instanceof FcError && GONE.has(error.code);
}

/**
 * The one place a qualifier becomes a version. Only LATEST exists until versions and aliases are published:
 * FC answers a numeric qualifier with VersionNotFound and any other name with AliasNotFound.
 */
function resolveQualifier(serviceName: string, qualifier: string): string | undefined {
  if (qualifier === LATEST) return undefined;
  if (/^\d+$/.test(qualifier)) {
    throw new FcError(
      'VersionNotFound',
      `version '${qualifier}' of service '${serviceName}' does not exist: this Kumo has no published versions, use LATEST`,
    );
  }
  throw new FcError(
    'AliasNotFound',
    `alias '${qualifier}' of service '${serviceName}' does not exist: this Kumo has no aliases, use LATEST`,
  );
}

function serviceOrThrow(service: Stored<Service> | undefined, serviceName: string): Stored<Service> {
  if (!service) throw new FcError('ServiceNotFound', `service '${serviceName}' does not exist`);
  return service;
}

function isMissing(error: unknown): boolean {
  return error instanceof FcError && (error.code === 'ServiceNotFound' || error.code === 'FunctionNotFound');
}

function noHttpTrigger(ref: TargetRef): FcError {
  const { serviceName } = parseServiceRef(ref.serviceRef, undefined);
  return new FcError(
    'TriggerNotFound',
    `no HTTP trigger for '${serviceName}/${ref.functionName}': create one to call the function over HTTP`,
  );
}
