import type { CustomDomain } from '../model/index.js';
import type { MetaStore } from '../store/index.js';

/** Where the gateway sends requests whose Host is a custom domain (rewritten before routing). */
export const DOMAIN_ROUTE_PREFIX = '/__kumo/custom-domain/';

/** Custom domains by host name, kept in memory so routing by Host costs a map lookup. */
export class DomainTable {
  readonly #byHost = new Map<string, CustomDomain>();

  /** Adds the stored domains; `replace` first forgets the ones held (a full reload). */
  async load(store: MetaStore, replace = false): Promise<void> {
    const loaded = new Map<string, CustomDomain>();
    let nextToken: string | undefined;
    do {
      const page = await store.listCustomDomains({ limit: 100, nextToken });
      for (const { value } of page.items) loaded.set(value.domainName, value);
      nextToken = page.nextToken;
    } while (nextToken);
    if (replace) this.#byHost.clear();
    for (const domain of loaded.values()) this.update(domain);
  }

  update(domain: CustomDomain, deleted = false): void {
    if (deleted) this.#byHost.delete(domain.domainName);
    else this.#byHost.set(domain.domainName, domain);
  }

  get(host: string): CustomDomain | undefined {
    return this.#byHost.get(host);
  }

  /** `Host: api.example.com:8780` + `/x?y` → `/__kumo/custom-domain/api.example.com/x?y`, else undefined. */
  rewrite(url: string, hostHeader: string | undefined): string | undefined {
    if (!hostHeader || this.#byHost.size === 0) return undefined;
    const host = hostHeader.replace(/:\d+$/, '').toLowerCase();
    return this.#byHost.has(host) ? `${DOMAIN_ROUTE_PREFIX}${host}${url}` : undefined;
  }
}
