import { resolveService } from '../invoke/resolve.js';
import {
  FcError,
  type FunctionRecord,
  invalidArgument,
  publishVersionBody,
  type Service,
  type Version,
  validateInput,
} from '../model/index.js';
import type { Page, Stored } from '../store/index.js';
import { checkQualifierDeletable } from './capacity.js';
import { type ControlDeps, expectedEtag, requireWritable, timestamp, type WriteOptions } from './context.js';
import { allFunctions, type PageInput, pageQuery } from './list.js';

/** A version listing as FC's listVersions asks for it. */
export interface VersionPageInput extends Omit<PageInput, 'prefix'> {
  direction?: string;
}

/** Versions: publishing freezes the service and every function (config, code, initializer) as they are now. */
export class VersionControl {
  readonly #deps: ControlDeps;

  constructor(deps: ControlDeps) {
    this.#deps = deps;
  }

  /** `ifMatch` is the service's etag, as FC's PublishServiceVersion takes it. */
  async publish(serviceName: string, body: unknown, options: WriteOptions = {}): Promise<Stored<Version>> {
    const { description } = validateInput(publishVersionBody, body);
    const { store } = this.#deps;
    const current = await resolveService(store, serviceName);
    requireWritable(current.versionId);
    const wanted = expectedEtag(options);
    if (wanted !== undefined && wanted !== current.service.etag) {
      throw new FcError(
        'PreconditionFailed',
        `the resource being modified has been changed (If-Match '${wanted}', current etag '${current.service.etag}')`,
      );
    }
    const functions = await allFunctions(store, serviceName);
    const time = timestamp(this.#deps);
    const draft: Omit<Version, 'versionId'> = {
      serviceName,
      description: description ?? '',
      createdTime: time,
      lastModifiedTime: time,
      service: current.service.value,
      functions,
    };
    return store.publishVersion(draft, (last) => sameContent(last, draft));
  }

  async get(serviceName: string, versionId: string): Promise<Stored<Version>> {
    const { version } = await resolveService(this.#deps.store, serviceName, versionIdOrThrow(versionId));
    return version as Stored<Version>;
  }

  async list(
    serviceName: string,
    input: VersionPageInput,
  ): Promise<Page<Stored<Version>> & { direction: string }> {
    const direction = (input.direction || 'BACKWARD').toUpperCase();
    if (direction !== 'BACKWARD' && direction !== 'FORWARD') {
      throw invalidArgument("direction must be 'BACKWARD' (newest first) or 'FORWARD'");
    }
    const { limit, startKey, nextToken } = pageQuery(input);
    for (const key of [startKey, nextToken]) {
      if (key && !/^\d{1,10}$/.test(key)) throw invalidArgument(`'${key}' is not a version id`);
    }
    const page = await this.#deps.store.listVersions(serviceName, { limit, direction, startKey, nextToken });
    return { ...page, direction };
  }

  /** Refused while an alias names the version; its instances retire once it is gone. */
  async delete(serviceName: string, versionId: string): Promise<void> {
    const version = await this.get(serviceName, versionId);
    const forgetConfigs = checkQualifierDeletable(this.#deps, serviceName, version.value.versionId);
    await this.#deps.store.deleteVersion(serviceName, version.value.versionId);
    forgetConfigs();
    for (const fn of version.value.functions) {
      this.#deps.onFunctionChanged?.(serviceName, fn.functionName, version.value.versionId);
    }
  }
}

/** A version id as a path gives it; anything else cannot name a version. */
function versionIdOrThrow(versionId: string): string {
  if (!/^[1-9]\d{0,9}$/.test(versionId)) throw invalidArgument(`'${versionId}' is not a version id`);
  return versionId;
}

/** FC refuses to publish when nothing changed: same service config and same functions, times aside. */
function sameContent(last: Version, draft: Omit<Version, 'versionId'>): boolean {
  const content = (service: Service, functions: FunctionRecord[]) =>
    canonical({
      service: { ...service, lastModifiedTime: undefined },
      functions: functions.map((fn) => ({ ...fn, lastModifiedTime: undefined })),
    });
  return content(last.service, last.functions) === content(draft.service, draft.functions);
}

/** JSON with object keys sorted, so equal content compares equal whatever order it was written in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}
