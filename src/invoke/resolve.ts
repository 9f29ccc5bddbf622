import {
  type CodeRef,
  chooseAliasVersion,
  FcError,
  type FunctionRecord,
  type Service,
  type Trigger,
  type Version,
} from '../model/index.js';
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
  /** The version an earlier resolution chose (an accepted async call keeps it even if its alias moved). */
  versionId?: string;
}

/** Where a weighted alias draws its share from: [0, 1), `Math.random` unless a test injects one. */
export type RandomSource = () => number;

/** For reads (a function's config or code through an alias): always the alias's own version, never a draw. */
export const ALIAS_MAIN_VERSION: RandomSource = () => 1;

/** Exactly what a call runs: every caller (API, gateway, async worker, timers) gets its answer from here. */
export interface InvokeTarget {
  service: Service;
  fn: FunctionRecord;
  code: CodeRef | null;
  /** Changes whenever what runs changes: LATEST's function etag, or a published version's (stable). */
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
  random: RandomSource = ALIAS_MAIN_VERSION,
): Promise<{
  service: Stored<Service>;
  qualifier: string;
  versionId: string | undefined;
  version?: Stored<Version>;
}> {
  const ref = parseServiceRef(serviceRef, qualifier);
  const service = serviceOrThrow(await store.getService(ref.serviceName), ref.serviceName);
  const version = await resolveQualifier(store, ref.serviceName, ref.qualifier, random);
  if (!version) return { service, qualifier: ref.qualifier, versionId: undefined };
  return {
    service: { value: version.value.service, etag: version.etag },
    qualifier: ref.qualifier,
    versionId: version.value.versionId,
    version,
  };
}

/**
 * Service → qualifier → version → function. Reads only the store's cached lookups, so the hot path costs no
 * SQLite round trip once a function has been called (and no more awaits than the two lookups).
 */
export async function resolveTarget(
  store: MetaStore,
  ref: TargetRef,
  random: RandomSource = Math.random,
): Promise<InvokeTarget> {
  const { serviceName, qualifier } = parseServiceRef(ref.serviceRef, ref.qualifier);
  const service = serviceOrThrow(await store.getService(serviceName), serviceName);
  const version = ref.versionId
    ? await versionOrThrow(store, serviceName, ref.versionId)
    : await resolveQualifier(store, serviceName, qualifier, random);
  if (version) return versionTarget(version, ref.functionName, qualifier);
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
    versionId: undefined,
  };
}

/** A function as a published version froze it; its revision names the version, so it never changes. */
function versionTarget(version: Stored<Version>, functionName: string, qualifier: string): InvokeTarget {
  const { service, versionId, functions } = version.value;
  const fn = functions.find((f) => f.functionName === functionName);
  if (!fn) {
    throw new FcError(
      'FunctionNotFound',
      `function '${functionName}' does not exist in version ${versionId} of service '${service.serviceName}'`,
    );
  }
  return { service, fn, code: fn.code, revision: `v${versionId}:${version.etag}`, qualifier, versionId };
}

/**
 * A call through an HTTP trigger (proxy path or custom domain): the target and its HTTP trigger. A missing
 * service, function or trigger is `TriggerNotFound`, since from the caller's side it is the trigger's URL that
 * does not exist; an unknown qualifier keeps its own error.
 */
export async function resolveHttpTarget(store: MetaStore, ref: TargetRef): Promise<HttpInvokeTarget> {
  const named = parseServiceRef(ref.serviceRef, ref.qualifier);
  const httpTrigger = await store.httpTrigger(named.serviceName, ref.functionName);
  // A URL that names no qualifier reaches what the trigger names (FC's trigger `qualifier`, e.g. an alias).
  const unqualified = !ref.serviceRef.includes('.') && !ref.qualifier;
  const qualifier = unqualified ? httpTrigger?.qualifier : ref.qualifier;
  const target = await resolveTarget(store, { ...ref, qualifier }).catch((error: unknown) => {
    throw isMissing(error) ? noHttpTrigger(ref) : error;
  });
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
 * The one place a qualifier becomes a version: LATEST is none, a number is that version, any other name an
 * alias (a weighted alias draws which of its versions this call goes to).
 */
async function resolveQualifier(
  store: MetaStore,
  serviceName: string,
  qualifier: string,
  random: RandomSource,
): Promise<Stored<Version> | undefined> {
  if (qualifier === LATEST) return undefined;
  if (/^\d+$/.test(qualifier)) return versionOrThrow(store, serviceName, qualifier);
  const alias = await store.getAlias(serviceName, qualifier);
  if (!alias) {
    throw new FcError('AliasNotFound', `alias '${qualifier}' of service '${serviceName}' does not exist`);
  }
  return versionOrThrow(store, serviceName, chooseAliasVersion(alias.value, random));
}

async function versionOrThrow(
  store: MetaStore,
  serviceName: string,
  versionId: string,
): Promise<Stored<Version>> {
  const version = await store.getVersion(serviceName, versionId);
  if (!version) {
    throw new FcError('VersionNotFound', `version '${versionId}' of service '${serviceName}' does not exist`);
  }
  return version;
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
