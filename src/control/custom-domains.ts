import {
  type CustomDomain,
  createCustomDomainBody,
  FcError,
  updateCustomDomainBody,
  validateInput,
} from '../model/index.js';
import type { Page, Stored } from '../store/index.js';
import { type ControlDeps, expectedEtag, timestamp, type WriteOptions } from './context.js';
import { type PageInput, pageQuery } from './list.js';

/** Custom domains: host names (case-insensitive), `auto` names, and telling the gateway about each change. */
export class CustomDomainControl {
  readonly #deps: ControlDeps;

  constructor(deps: ControlDeps) {
    this.#deps = deps;
  }

  /**
   * `body`: the create fields in any key casing; `domainName: 'auto'` names it after its first route.
   * `apiVersion` records which API face created the domain (FC shows it).
   */
  async create(body: unknown, options: { apiVersion: string }): Promise<Stored<CustomDomain>> {
    const fields = validateInput(createCustomDomainBody, body);
    const time = timestamp(this.#deps);
    const domain: CustomDomain = {
      ...fields,
      routeConfig: { routes: fields.routeConfig?.routes ?? [] },
      domainName:
        fields.domainName === 'auto'
          ? autoDomain(fields.routeConfig?.routes?.[0], this.#deps.accountId)
          : fields.domainName.toLowerCase(),
      protocol: fields.protocol ?? 'HTTP',
      accountId: this.#deps.accountId,
      apiVersion: options.apiVersion,
      createdTime: time,
      lastModifiedTime: time,
    };
    const stored = await this.#deps.store.createCustomDomain(domain);
    this.#deps.onCustomDomainChanged?.(stored.value);
    return stored;
  }

  async get(domainName: string): Promise<Stored<CustomDomain>> {
    const stored = await this.#deps.store.getCustomDomain(domainName.toLowerCase());
    if (!stored) throw new FcError('DomainNameNotFound', `domain name '${domainName}' does not exist`);
    return stored;
  }

  async list(page: PageInput): Promise<Page<Stored<CustomDomain>>> {
    return this.#deps.store.listCustomDomains(pageQuery(page));
  }

  /** Merges the given fields; a new `routeConfig` replaces the old one whole. */
  async update(domainName: string, body: unknown, options: WriteOptions = {}): Promise<Stored<CustomDomain>> {
    const current = await this.get(domainName);
    const changes = validateInput(updateCustomDomainBody, body);
    const domain: CustomDomain = {
      ...current.value,
      ...changes,
      routeConfig: changes.routeConfig
        ? { routes: changes.routeConfig.routes ?? [] }
        : current.value.routeConfig,
      lastModifiedTime: timestamp(this.#deps),
    };
    const stored = await this.#deps.store.updateCustomDomain(domain, expectedEtag(options));
    this.#deps.onCustomDomainChanged?.(stored.value);
    return stored;
  }

  async delete(domainName: string, options: WriteOptions = {}): Promise<void> {
    const current = await this.get(domainName);
    await this.#deps.store.deleteCustomDomain(current.value.domainName, expectedEtag(options));
    this.#deps.onCustomDomainChanged?.(current.value, true);
  }
}

/** `auto`: a name under `.localhost`, which resolves to loopback on every modern system. */
function autoDomain(
  route: { serviceName: string; functionName: string } | undefined,
  accountId: string,
): string {
  if (!route) throw new FcError('InvalidArgument', "an 'auto' domain needs a route naming the function");
  const label = (s: string) => s.toLowerCase().replaceAll('_', '-');
  return `${label(route.functionName)}.${label(route.serviceName)}.${accountId}.localhost`;
}
