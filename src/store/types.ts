import type {
  Alias,
  CustomDomain,
  FunctionRecord,
  LayerVersion,
  Service,
  Trigger,
  Version,
} from '../model/index.js';
import type { CapacityStore } from './capacity-types.js';

export interface ListQuery {
  limit: number;
  prefix?: string;
  /** List from this name on (inclusive). */
  startKey?: string;
  /** Opaque token from a previous page. */
  nextToken?: string;
  /** Only resources carrying every one of these tags (services). */
  tags?: Record<string, string>;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** FC's version listing: newest first (`BACKWARD`, the default) or oldest first, from a version id on. */
export interface VersionQuery {
  limit: number;
  direction?: 'BACKWARD' | 'FORWARD';
  startKey?: string;
  nextToken?: string;
}

/** Layers in name order (each as its newest version); `publicOnly` keeps public ones (FC's `public=true`). */
export interface LayerListQuery extends ListQuery {
  publicOnly?: boolean;
}

/** A layer's versions, oldest first; `nextVersion` starts the next page. */
export interface LayerVersionPage {
  items: Stored<LayerVersion>[];
  nextVersion?: number;
}

/** A stored value with its etag (changes on every write). */
export interface Stored<T> {
  value: T;
  etag: string;
}

/**
 * Kumo's metadata. Implementations throw FcError for not-found, already-exists, non-empty and etag mismatch,
 * and apply each call atomically. Async so that a networked database (PostgreSQL) can implement it too.
 * `ifMatch` is a bare etag that must equal the stored one (the control layer reads HTTP's If-Match forms).
 */
export interface MetaStore {
  /** Provision and on-demand configs. */
  readonly capacity: CapacityStore;

  createService(service: Service): Promise<Stored<Service>>;
  getService(name: string): Promise<Stored<Service> | undefined>;
  updateService(service: Service, ifMatch?: string): Promise<Stored<Service>>;
  /** Fails with ServiceNotEmpty while the service has functions, versions or aliases. */
  deleteService(name: string, ifMatch?: string): Promise<void>;
  listServices(query: ListQuery): Promise<Page<Stored<Service>>>;

  createFunction(fn: FunctionRecord): Promise<Stored<FunctionRecord>>;
  getFunction(serviceName: string, functionName: string): Promise<Stored<FunctionRecord> | undefined>;
  updateFunction(fn: FunctionRecord, ifMatch?: string): Promise<Stored<FunctionRecord>>;
  deleteFunction(
    serviceName: string,
    functionName: string,
    ifMatch?: string,
  ): Promise<Stored<FunctionRecord>>;
  listFunctions(serviceName: string, query: ListQuery): Promise<Page<Stored<FunctionRecord>>>;
  /** How many functions and published versions use this code package (for garbage collection of code). */
  codeReferences(sha256: string): Promise<number>;

  createTrigger(trigger: Trigger): Promise<Stored<Trigger>>;
  getTrigger(
    serviceName: string,
    functionName: string,
    triggerName: string,
  ): Promise<Stored<Trigger> | undefined>;
  updateTrigger(trigger: Trigger, ifMatch?: string): Promise<Stored<Trigger>>;
  deleteTrigger(
    serviceName: string,
    functionName: string,
    triggerName: string,
    ifMatch?: string,
  ): Promise<void>;
  listTriggers(serviceName: string, functionName: string, query: ListQuery): Promise<Page<Stored<Trigger>>>;
  /** The function's HTTP trigger, if it has one (the gateway reads it on every request). */
  httpTrigger(serviceName: string, functionName: string): Promise<Trigger | undefined>;
  /** Every trigger of one type across all functions (the timer scheduler loads them at start). */
  triggersOfType(type: string): Promise<Stored<Trigger>[]>;

  createCustomDomain(domain: CustomDomain): Promise<Stored<CustomDomain>>;
  getCustomDomain(name: string): Promise<Stored<CustomDomain> | undefined>;
  updateCustomDomain(domain: CustomDomain, ifMatch?: string): Promise<Stored<CustomDomain>>;
  deleteCustomDomain(name: string, ifMatch?: string): Promise<void>;
  listCustomDomains(query: ListQuery): Promise<Page<Stored<CustomDomain>>>;

  /** Stores the draft under the service's next version number, unless `unchanged` says it equals the newest. */
  publishVersion(
    draft: Omit<Version, 'versionId'>,
    unchanged: (last: Version) => boolean,
  ): Promise<Stored<Version>>;
  getVersion(serviceName: string, versionId: string): Promise<Stored<Version> | undefined>;
  listVersions(serviceName: string, query: VersionQuery): Promise<Page<Stored<Version>>>;
  /** Fails while an alias names the version. */
  deleteVersion(serviceName: string, versionId: string): Promise<void>;

  /** Create and update fail with VersionNotFound unless every version the alias names exists. */
  createAlias(alias: Alias): Promise<Stored<Alias>>;
  getAlias(serviceName: string, aliasName: string): Promise<Stored<Alias> | undefined>;
  updateAlias(alias: Alias, ifMatch?: string): Promise<Stored<Alias>>;
  deleteAlias(serviceName: string, aliasName: string, ifMatch?: string): Promise<void>;
  listAliases(serviceName: string, query: ListQuery): Promise<Page<Stored<Alias>>>;

  /** Stores the draft as the layer's next version (numbers are never reused). */
  publishLayerVersion(draft: Omit<LayerVersion, 'version' | 'acl'>): Promise<Stored<LayerVersion>>;
  /** A deleted version is only returned with `includeDeleted` (functions that already use it keep running). */
  getLayerVersion(
    layerName: string,
    version: number,
    includeDeleted?: boolean,
  ): Promise<Stored<LayerVersion> | undefined>;
  listLayers(query: LayerListQuery): Promise<Page<Stored<LayerVersion>>>;
  /** Fails with LayerNotFound when the layer has no visible version. */
  listLayerVersions(layerName: string, startVersion: number, limit: number): Promise<LayerVersionPage>;
  /** Hides the version from reads and new references; fails with LayerNotFound if it is not visible. */
  deleteLayerVersion(layerName: string, version: number): Promise<void>;
  /** 0 private, 1 public; fails with LayerNotFound when the layer has no visible version. */
  setLayerAcl(layerName: string, acl: number): Promise<void>;

  /** A resource's tags (`services/{name}`); empty when it has none. */
  getTags(resource: string): Promise<Record<string, string>>;
  /** Adds or replaces tags; fails with InvalidArgument if the resource would then have more than `max`. */
  tagResource(resource: string, tags: Record<string, string>, max: number): Promise<void>;
  /** Removes the named keys, or every tag when `keys` is 'all'. */
  untagResource(resource: string, keys: string[] | 'all'): Promise<void>;

  close(): Promise<void>;
}
