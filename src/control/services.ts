import { randomUUID } from 'node:crypto';
import { resolveService } from '../invoke/resolve.js';
import type { FcVersion } from '../model/fc3.js';
import { createServiceBody, type Service, updateServiceBody, validateInput } from '../model/index.js';
import type { Page, Stored } from '../store/index.js';
import { forgetLatestConfigs } from './capacity.js';
import { type ControlDeps, expectedEtag, requireWritable, timestamp, type WriteOptions } from './context.js';
import { allFunctions, type PageInput, pageQuery } from './list.js';

/** Services: names, defaults and the rule that only an empty service can go. */
export class ServiceControl {
  readonly #deps: ControlDeps;

  constructor(deps: ControlDeps) {
    this.#deps = deps;
  }

  /**
   * `body`: the create fields in any key casing; validated here. `fcVersion` marks the service that carries
   * an FC 3.0 function (set by the FC 3.0 face only, never from a body).
   */
  async create(body: unknown, marker: { fcVersion?: FcVersion } = {}): Promise<Stored<Service>> {
    const fields = validateInput(createServiceBody, body);
    const time = timestamp(this.#deps);
    return this.#deps.store.createService({
      internetAccess: true,
      description: '',
      ...fields,
      ...(marker.fcVersion && { fcVersion: marker.fcVersion }),
      serviceId: randomUUID(),
      createdTime: time,
      lastModifiedTime: time,
    });
  }

  /** A service as of a qualifier (only LATEST until versions exist). */
  async get(serviceName: string, qualifier?: string): Promise<Stored<Service>> {
    return (await resolveService(this.#deps.store, serviceName, qualifier)).service;
  }

  async list(page: PageInput): Promise<Page<Stored<Service>>> {
    return this.#deps.store.listServices(pageQuery(page));
  }

  /** Merges the given fields onto the service; fields not given keep their value. */
  async update(
    serviceName: string,
    changes: unknown,
    options: WriteOptions & { qualifier?: string } = {},
  ): Promise<Stored<Service>> {
    const fields = validateInput(updateServiceBody, changes);
    const current = await resolveService(this.#deps.store, serviceName, options.qualifier);
    requireWritable(current.versionId);
    const service: Service = { ...current.service.value, ...fields, lastModifiedTime: timestamp(this.#deps) };
    const stored = await this.#deps.store.updateService(service, expectedEtag(options));
    await this.#retireInstances(serviceName);
    return stored;
  }

  /**
   * Running instances were started with the old service config (environment, role, network policy such as
   * internetAccess): every function of the service gets new ones.
   */
  async #retireInstances(serviceName: string): Promise<void> {
    const retire = this.#deps.onFunctionChanged;
    if (!retire) return;
    for (const fn of await allFunctions(this.#deps.store, serviceName)) retire(serviceName, fn.functionName);
  }

  /** Fails with ServiceNotEmpty while the service has functions. */
  async delete(serviceName: string, options: WriteOptions & { qualifier?: string } = {}): Promise<void> {
    const current = await resolveService(this.#deps.store, serviceName, options.qualifier);
    requireWritable(current.versionId);
    await this.#deps.store.deleteService(serviceName, expectedEtag(options));
    forgetLatestConfigs(this.#deps, serviceName);
  }
}
