import { resolveService } from '../invoke/resolve.js';
import {
  type Alias,
  checkAliasName,
  createAliasBody,
  FcError,
  invalidArgument,
  updateAliasBody,
  validateInput,
} from '../model/index.js';
import type { Page, Stored } from '../store/index.js';
import { checkQualifierDeletable } from './capacity.js';
import { type ControlDeps, expectedEtag, timestamp, type WriteOptions } from './context.js';
import { type PageInput, pageQuery } from './list.js';

/**
 * Aliases: a name for a version, optionally with a share of calls for one other version. Calls resolve the
 * alias each time, so pointing it elsewhere re-routes new calls at once; instances stay with their versions.
 */
export class AliasControl {
  readonly #deps: ControlDeps;

  constructor(deps: ControlDeps) {
    this.#deps = deps;
  }

  async create(serviceName: string, body: unknown): Promise<Stored<Alias>> {
    const fields = validateInput(createAliasBody, body);
    checkAliasName(fields.aliasName);
    await this.#requireLatest(serviceName);
    const time = timestamp(this.#deps);
    const alias: Alias = {
      serviceName,
      aliasName: fields.aliasName,
      versionId: fields.versionId,
      description: fields.description ?? '',
      additionalVersionWeight: fields.additionalVersionWeight ?? {},
      createdTime: time,
      lastModifiedTime: time,
    };
    checkWeights(alias);
    return this.#deps.store.createAlias(alias);
  }

  async get(serviceName: string, aliasName: string): Promise<Stored<Alias>> {
    await this.#requireLatest(serviceName);
    const alias = await this.#deps.store.getAlias(serviceName, aliasName);
    if (!alias) throw aliasNotFound(serviceName, aliasName);
    return alias;
  }

  /** Fields not given keep their value; a given `additionalVersionWeight` replaces the old one. */
  async update(
    serviceName: string,
    aliasName: string,
    body: unknown,
    options: WriteOptions = {},
  ): Promise<Stored<Alias>> {
    const fields = validateInput(updateAliasBody, body);
    const current = await this.get(serviceName, aliasName);
    const alias: Alias = {
      ...current.value,
      ...(fields.versionId !== undefined && { versionId: fields.versionId }),
      ...(fields.description !== undefined && { description: fields.description }),
      ...(fields.additionalVersionWeight !== undefined && {
        additionalVersionWeight: fields.additionalVersionWeight,
      }),
      lastModifiedTime: timestamp(this.#deps),
    };
    checkWeights(alias);
    return this.#deps.store.updateAlias(alias, expectedEtag(options));
  }

  async delete(serviceName: string, aliasName: string, options: WriteOptions = {}): Promise<void> {
    await this.#requireLatest(serviceName);
    const forgetConfigs = checkQualifierDeletable(this.#deps, serviceName, aliasName);
    await this.#deps.store.deleteAlias(serviceName, aliasName, expectedEtag(options));
    forgetConfigs();
  }

  async list(serviceName: string, page: PageInput): Promise<Page<Stored<Alias>>> {
    const query = pageQuery(page);
    await this.#requireLatest(serviceName);
    return this.#deps.store.listAliases(serviceName, query);
  }

  async #requireLatest(serviceName: string): Promise<void> {
    await resolveService(this.#deps.store, serviceName, 'LATEST');
  }
}

/** The additional version must be another version than the alias's own. */
function checkWeights(alias: Alias): void {
  if (alias.versionId in alias.additionalVersionWeight) {
    throw invalidArgument(
      `additionalVersionWeight names version ${alias.versionId}, the alias's own version: name another version`,
    );
  }
}

function aliasNotFound(serviceName: string, aliasName: string): FcError {
  return new FcError('AliasNotFound', `alias '${aliasName}' of service '${serviceName}' does not exist`);
}
