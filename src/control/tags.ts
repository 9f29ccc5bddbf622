import { FcError, LIMITS, tagResourceBody, untagResourceBody, validateInput } from '../model/index.js';
import type { ControlDeps } from './context.js';

/** A tagged resource: the store's key and the service it belongs to. */
export interface TagTarget {
  /** `services/{name}`, the store's key. */
  resource: string;
  serviceName: string;
}

/**
 * Tags on services, as FC 2016-08-15 has them: `acs:fc:{region}:{account}:services/{name}` or the short
 * `services/{name}`. The service must exist; its tags go when it is deleted.
 */
export class TagControl {
  readonly #deps: ControlDeps;

  constructor(deps: ControlDeps) {
    this.#deps = deps;
  }

  async tag(body: unknown): Promise<void> {
    const { resourceArn, tags } = validateInput(tagResourceBody, body);
    const target = await this.#existing(resourceArn);
    await this.#deps.store.tagResource(target.resource, tags, LIMITS.tagsPerResourceMax);
  }

  async untag(body: unknown): Promise<void> {
    const { resourceArn, tagKeys, all } = validateInput(untagResourceBody, body);
    const target = await this.#existing(resourceArn);
    await this.#deps.store.untagResource(target.resource, all === true ? 'all' : (tagKeys ?? []));
  }

  /** `{resourceArn, tags}` in FC's shape; the ARN is answered as given. */
  async get(resourceArn: string | undefined): Promise<{ resourceArn: string; tags: Record<string, string> }> {
    if (!resourceArn) throw new FcError('InvalidArgument', 'resourceArn is required');
    const target = await this.#existing(resourceArn);
    return { resourceArn, tags: await this.#deps.store.getTags(target.resource) };
  }

  /** Parses an ARN without I/O (the authorizer needs the service before the route runs). */
  parseArn(resourceArn: string): TagTarget {
    const match = /^(?:acs:fc:([^:]*):([^:]*):)?services\/([^/]+)$/.exec(resourceArn);
    const [, region, account, serviceName] = match ?? [];
    if (!match || serviceName === undefined) {
      throw new FcError(
        'InvalidArgument',
        `invalid resourceArn '${resourceArn}': tags apply to services, 'acs:fc:<region>:<accountId>:services/<name>' or 'services/<name>'`,
      );
    }
    if (account !== undefined && account !== this.#deps.accountId) {
      throw new FcError('AccessDenied', `resourceArn '${resourceArn}' names another account`);
    }
    const { region: ours } = this.#deps;
    if (region !== undefined && ours !== undefined && region !== ours) {
      throw new FcError(
        'InvalidArgument',
        `resourceArn '${resourceArn}' names region '${region}', not '${ours}'`,
      );
    }
    return { resource: `services/${serviceName}`, serviceName };
  }

  async #existing(resourceArn: string): Promise<TagTarget> {
    const target = this.parseArn(resourceArn);
    if (!(await this.#deps.store.getService(target.serviceName))) {
      throw new FcError('ServiceNotFound', `service '${target.serviceName}' does not exist`);
    }
    return target;
  }
}
