import { randomUUID } from 'node:crypto';
import { decodeZipFile } from '../code/index.js';
import { resolveService } from '../invoke/resolve.js';
import {
  applyFunctionDefaults,
  type CodeInput,
  type CodeRef,
  checkFunctionConsistency,
  createFunctionBody,
  FcError,
  type FunctionRecord,
  invalidArgument,
  rejectOssCode,
  updateFunctionBody,
  validateInput,
} from '../model/index.js';
import { type Page, pageInMemory, type Stored } from '../store/index.js';
import { forgetLatestConfigs } from './capacity.js';
import {
  type ControlDeps,
  expectedEtag,
  requireWritable,
  timestamp,
  type WriteOptions,
  writableFunction,
} from './context.js';
import { checkFunctionLayers } from './layers.js';
import { type PageInput, pageQuery } from './list.js';

/** Names a function; `qualifier` is the version or alias it is seen through (LATEST when absent). */
export interface FunctionKey {
  serviceName: string;
  functionName: string;
  qualifier?: string;
}

export interface CodeOptions {
  /** The CRC-64 the caller computed over its zip; the stored package must match it. */
  codeChecksum?: string;
}

/** Functions: defaults, runtime and consistency checks, code intake, and retiring instances after a change. */
export class FunctionControl {
  readonly #deps: ControlDeps;

  constructor(deps: ControlDeps) {
    this.#deps = deps;
  }

  /** `body`: the create fields (with `functionName` and `code`) in any key casing; validated here. */
  async create(
    service: { serviceName: string; qualifier?: string },
    body: unknown,
    options: CodeOptions = {},
  ): Promise<Stored<FunctionRecord>> {
    const { store } = this.#deps;
    const { serviceName } = service;
    const { code, functionName, ...fields } = validateInput(createFunctionBody, body);
    const home = await resolveService(store, serviceName, service.qualifier);
    requireWritable(home.versionId);
    if (home.service.value.fcVersion === 'v3' && functionName !== serviceName) {
      // FC 3.0's function `f` is service `f` holding `f` alone (src/model/fc3.ts): FC 3.0 would never show more.
      throw invalidArgument(
        `service '${serviceName}' holds the FC 3.0 function '${serviceName}' and nothing else: create '${functionName}' in another service`,
      );
    }
    if (await store.getFunction(serviceName, functionName)) {
      throw new FcError(
        'FunctionAlreadyExists',
        `function '${functionName}' already exists in service '${serviceName}'`,
      );
    }
    const time = timestamp(this.#deps);
    const record: FunctionRecord = {
      ...applyFunctionDefaults(fields),
      runtime: fields.runtime ?? '',
      serviceName,
      functionName,
      functionId: randomUUID(),
      code: null,
      createdTime: time,
      lastModifiedTime: time,
    };
    this.#checkRuntime(record);
    await checkFunctionLayers(this.#deps, record.layers);
    record.code = code ? await this.#storeCode(code, options) : null;
    checkFunctionConsistency(record);
    await this.#deps.checkFunction?.(record);
    return store.createFunction(record);
  }

  async list(
    serviceName: string,
    page: PageInput,
    qualifier?: string,
  ): Promise<Page<Stored<FunctionRecord>>> {
    const query = pageQuery(page);
    const { version } = await resolveService(this.#deps.store, serviceName, qualifier);
    if (!version) return this.#deps.store.listFunctions(serviceName, query);
    // A version's functions as it froze them, paged by name as the store pages LATEST's.
    const frozen = pageInMemory(version.value.functions, (fn) => fn.functionName, query);
    return { ...frozen, items: frozen.items.map((value) => ({ value, etag: version.etag })) };
  }

  /** Merges the given fields onto the function; fields not given keep their value, new code replaces the old. */
  async update(
    key: FunctionKey,
    body: unknown,
    options: WriteOptions & CodeOptions = {},
  ): Promise<Stored<FunctionRecord>> {
    const { code, ...changes } = validateInput(updateFunctionBody, body);
    const current = await writableFunction(this.#deps.store, key);
    const record: FunctionRecord = {
      ...current.fn,
      ...changes,
      serviceName: current.service.serviceName,
      lastModifiedTime: timestamp(this.#deps),
    };
    this.#checkRuntime(record);
    await checkFunctionLayers(this.#deps, record.layers, current.fn.layers);
    if (code) record.code = await this.#storeCode(code, options);
    checkFunctionConsistency(record);
    await this.#deps.checkFunction?.(record);
    const stored = await this.#deps.store.updateFunction(record, expectedEtag(options));
    // The LATEST pool's revision is the function's etag (resolve.ts).
    this.#deps.onFunctionChanged?.(record.serviceName, record.functionName, undefined, stored.etag);
    return stored;
  }

  /** Deletes the function and its triggers; its instances retire. */
  async delete(key: FunctionKey, options: WriteOptions = {}): Promise<void> {
    const current = await writableFunction(this.#deps.store, key);
    await this.#deps.store.deleteFunction(
      current.service.serviceName,
      current.fn.functionName,
      expectedEtag(options),
    );
    forgetLatestConfigs(this.#deps, current.service.serviceName, current.fn.functionName);
    this.#deps.onFunctionChanged?.(current.service.serviceName, current.fn.functionName);
  }

  #checkRuntime(record: FunctionRecord): void {
    if (record.runtime === '') throw invalidArgument('runtime is required');
    this.#deps.checkRuntime(record.runtime);
  }

  async #storeCode(code: CodeInput, options: CodeOptions): Promise<CodeRef> {
    rejectOssCode(code);
    if (!code.zipFile) throw invalidArgument('code.zipFile is required: a base64 encoded zip of your code');
    const zip = decodeZipFile(code.zipFile, this.#deps.code.limits);
    const stored = await this.#deps.code.put(zip);
    const expected = options.codeChecksum;
    if (expected !== undefined && expected !== '' && expected !== stored.codeChecksum) {
      throw invalidArgument(
        `the given code checksum ${expected} does not match the code's CRC64 ${stored.codeChecksum}`,
      );
    }
    return { sha256: stored.sha256, codeSize: stored.codeSize, codeChecksum: stored.codeChecksum };
  }
}
