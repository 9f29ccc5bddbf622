import { decodeZipFile } from '../code/index.js';
import {
  checkLayerName,
  FcError,
  invalidArgument,
  type LayerVersion,
  layerNotFound,
  parseLayerArn,
  parseLayerVersion,
  publishLayerBody,
  rejectOssCode,
  validateInput,
} from '../model/index.js';
import type { MetaStore, Page, Stored } from '../store/index.js';
import { type ControlDeps, timestamp } from './context.js';
import { type PageInput, pageQuery } from './list.js';

/** Where layer ARNs point: this server's account and region. */
export interface LayerHome {
  accountId: string;
  region?: string;
}

/**
 * Layers: publishing checks the zip exactly as a code package (no `../`, no absolute paths, no links out,
 * FC's size limits) and stores it content-addressed; versions are immutable. Deleting a version hides it,
 * but functions that already list it keep running with it, as on FC.
 */
export class LayerControl {
  readonly #deps: ControlDeps;

  constructor(deps: ControlDeps) {
    this.#deps = deps;
  }

  async publish(layerName: string, body: unknown): Promise<Stored<LayerVersion>> {
    checkLayerName(layerName);
    const { code, description, compatibleRuntime } = validateInput(publishLayerBody, body);
    rejectOssCode(code);
    if (!code.zipFile) throw invalidArgument('code.zipFile is required: a base64 encoded zip of the layer');
    // The zip is checked completely before anything is stored: a bad one leaves no version behind.
    const stored = await this.#deps.code.put(decodeZipFile(code.zipFile, this.#deps.code.limits));
    return this.#deps.store.publishLayerVersion({
      layerName,
      description: description ?? '',
      compatibleRuntime: compatibleRuntime ?? [],
      sha256: stored.sha256,
      codeSize: stored.codeSize,
      codeChecksum: stored.codeChecksum,
      createTime: timestamp(this.#deps),
    });
  }

  async get(layerName: string, version: string): Promise<Stored<LayerVersion>> {
    checkLayerName(layerName);
    const found = await this.#deps.store.getLayerVersion(layerName, parseLayerVersion(version));
    if (!found) throw layerNotFound(`'${layerName}' version ${version}`);
    return found;
  }

  async getByArn(arn: string): Promise<Stored<LayerVersion>> {
    const found = await findLayer(this.#deps.store, this.#deps, arn, false);
    if (!found) throw layerNotFound(arn);
    return found;
  }

  /** FC's listLayers: each layer as its newest version; `public=true` lists public layers only. */
  async list(
    page: PageInput,
    filters: { public?: string; official?: string },
  ): Promise<Page<Stored<LayerVersion>>> {
    const query = pageQuery(page);
    // Kumo has no official (Alibaba-provided) layers.
    if (filters.official === 'true') return { items: [] };
    return this.#deps.store.listLayers({ ...query, publicOnly: filters.public === 'true' });
  }

  async listVersions(
    layerName: string,
    input: { startVersion?: string; limit?: number },
  ): Promise<{ items: Stored<LayerVersion>[]; nextVersion?: number }> {
    checkLayerName(layerName);
    const start = input.startVersion ? parseLayerVersion(input.startVersion) : 1;
    const { limit } = pageQuery({ limit: input.limit });
    return this.#deps.store.listLayerVersions(layerName, start, limit);
  }

  async delete(layerName: string, version: string): Promise<void> {
    checkLayerName(layerName);
    await this.#deps.store.deleteLayerVersion(layerName, parseLayerVersion(version));
  }

  /** FC's putLayerACL: `public=true` makes the layer public, `public=false` private. */
  async putAcl(layerName: string, isPublic: string | undefined): Promise<void> {
    checkLayerName(layerName);
    if (isPublic !== 'true' && isPublic !== 'false') {
      throw invalidArgument("public must be 'true' or 'false'");
    }
    await this.#deps.store.setLayerAcl(layerName, isPublic === 'true' ? 1 : 0);
  }
}

/**
 * The layer an ARN names, if it exists here. An ARN of another account or region names nothing on this
 * server (Kumo serves one account), which is said plainly.
 */
async function findLayer(
  store: MetaStore,
  home: LayerHome,
  arn: string,
  includeDeleted: boolean,
): Promise<Stored<LayerVersion> | undefined> {
  const parsed = parseLayerArn(arn);
  if (parsed.accountId !== home.accountId) {
    throw new FcError(
      'LayerNotFound',
      `layer ${arn} belongs to account ${parsed.accountId}; this server holds the layers of account ${home.accountId} only`,
    );
  }
  if (home.region !== undefined && parsed.region !== home.region) {
    throw new FcError(
      'LayerNotFound',
      `layer ${arn} is in region ${parsed.region}; this server is region ${home.region}`,
    );
  }
  return store.getLayerVersion(parsed.layerName, parsed.version, includeDeleted);
}

/**
 * Checks a function's `layers` at create/update time: every ARN it newly lists must name a visible layer
 * version. ARNs it already listed stay valid even if their version was deleted since (FC keeps them working).
 */
export async function checkFunctionLayers(
  deps: ControlDeps,
  layers: readonly string[] | undefined,
  previous: readonly string[] = [],
): Promise<void> {
  for (const arn of layers ?? []) {
    const found = await findLayer(deps.store, deps, arn, previous.includes(arn));
    if (!found) throw layerNotFound(arn);
  }
}

/**
 * The code packages (sha256 addresses) of a function's layers in the order it lists them, for starting an
 * instance. Deleted versions still resolve; a layer that is gone altogether is FC's LayerNotFound.
 */
export async function layerPackages(
  store: MetaStore,
  home: LayerHome,
  arns: readonly string[],
): Promise<string[]> {
  const packages: string[] = [];
  for (const arn of arns) {
    const found = await findLayer(store, home, arn, true);
    if (!found) throw layerNotFound(`${arn} (listed by the function)`);
    packages.push(found.value.sha256);
  }
  return packages;
}
