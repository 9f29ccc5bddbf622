import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CodeDownloads } from '../../code/index.js';
import { ALIAS_MAIN_VERSION } from '../../invoke/index.js';
import {
  FcError,
  invalidArgument,
  NAME_PATTERN,
  type Service,
  updateServiceBody,
  validateInput,
} from '../../model/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { codeJsonBody } from '../routes/code-body.js';
import { originOf, queryParam } from '../routes/common.js';
import type { Fc3Context } from './function-map.js';
import { fc3InputToFc2, toFc3Function } from './function-map.js';
import { listFc3Functions } from './list.js';
import { functionNotFound, locateFc3, resolveFc3 } from './names.js';

export type FunctionParams = { Params: { function: string } };

/** `?qualifier=` as FC 3.0 sends it (empty means LATEST). */
export const qualifierOf = (request: FastifyRequest) => queryParam(request, 'qualifier') || undefined;

/** FC 3.0's functions: each one a service of the same name holding it (src/model/fc3.ts). */
export function registerFc3FunctionRoutes(app: FastifyInstance, deps: ApiDeps, context: Fc3Context): void {
  const { control, store } = deps;
  const downloads = new CodeDownloads(deps.credentials.accessKeySecret);

  app.post('/functions', async (request) => {
    const body = codeJsonBody(request);
    const name = body.functionName;
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
      throw invalidArgument(
        `functionName must match ${NAME_PATTERN.source} (letters, digits, _ and -, 1-128)`,
      );
    }
    const existing = await store.getService(name);
    if (existing?.value.fcVersion === 'v3' && !(await store.getFunction(name, name))) {
      // Left empty by FC 2.0's deleteFunction: the name is free again (refused while versions or aliases remain).
      await control.services.delete(name);
    } else if (existing) {
      throw alreadyExists(name, existing.value);
    }
    const parts = fc3InputToFc2(body);
    let service: Service;
    try {
      service = (await control.services.create({ ...parts.service, serviceName: name }, { fcVersion: 'v3' }))
        .value;
    } catch (error) {
      if (error instanceof FcError && error.code === 'ServiceAlreadyExists') throw alreadyExists(name);
      throw error;
    }
    try {
      const stored = await control.functions.create(
        { serviceName: name },
        { ...parts.fn, functionName: name },
        { codeChecksum: parts.codeChecksum },
      );
      return toFc3Function(service, stored.value, context);
    } catch (error) {
      // No half-created function: the service goes with the failed create.
      await control.services.delete(name).catch(() => undefined);
      throw error;
    }
  });

  app.get('/functions', async (request) => listFc3Functions(deps, request, context));

  app.get<FunctionParams>('/functions/:function', async (request) => {
    const target = await resolveFc3(store, request.params.function, qualifierOf(request), ALIAS_MAIN_VERSION);
    return toFc3Function(target.service, target.fn, context);
  });

  app.put<FunctionParams>('/functions/:function', async (request) => {
    const name = request.params.function;
    const target = await resolveFc3(store, name);
    const { serviceName, functionName } = locateFc3(name);
    const { functionName: _ignored, ...body } = codeJsonBody(request);
    const parts = fc3InputToFc2(body);
    // Checked before any write, so a bad service-level field changes nothing.
    validateInput(updateServiceBody, parts.service);
    const stored = await control.functions.update({ serviceName, functionName }, parts.fn, {
      codeChecksum: parts.codeChecksum,
    });
    let service = target.service;
    if (Object.keys(parts.service).length > 0) {
      service = (await control.services.update(serviceName, parts.service)).value;
    }
    return toFc3Function(service, stored.value, context);
  });

  app.delete<FunctionParams>('/functions/:function', async (request, reply) => {
    const name = request.params.function;
    const target = await resolveFc3(store, name);
    const { serviceName, functionName, fcVersion } = locateFc3(name);
    if (fcVersion === 'v3') await requireNoReleases(deps, name, serviceName);
    await control.functions.delete({ serviceName, functionName });
    if (fcVersion === 'v3' && target.service.fcVersion === 'v3') await control.services.delete(serviceName);
    return reply.status(204).send();
  });

  app.get<FunctionParams>('/functions/:function/code', async (request) => {
    const target = await resolveFc3(store, request.params.function, qualifierOf(request), ALIAS_MAIN_VERSION);
    if (!target.code) throw invalidArgument(`function '${request.params.function}' has no code package`);
    // The same signed, expiring download FC 2.0's GetFunctionCode hands out (served by its code-packages route).
    const { expires, signature } = downloads.grant(target.code.sha256);
    const url = `${originOf(request)}${API_PREFIX}/code-packages/${target.code.sha256}.zip?expires=${expires}&signature=${signature}`;
    return { url, checksum: target.code.codeChecksum };
  });
}

function alreadyExists(name: string, existing?: Service): FcError {
  if (existing && existing.fcVersion !== 'v3') {
    return new FcError(
      'FunctionAlreadyExists',
      `function name '${name}' is taken by the FC 2.0 service '${name}' (Kumo keeps an FC 3.0 function as a service of its name): choose another name or delete that service`,
    );
  }
  return new FcError('FunctionAlreadyExists', `function '${name}' already exists`);
}

/** FC 3.0 deletes a function only once its versions and aliases are gone. */
async function requireNoReleases(deps: ApiDeps, name: string, serviceName: string): Promise<void> {
  const versions = await deps.store.listVersions(serviceName, { limit: 1 });
  const aliases = await deps.store.listAliases(serviceName, { limit: 1 });
  if (versions.items.length > 0 || aliases.items.length > 0) {
    throw new FcError(
      'ServiceNotEmpty',
      `function '${name}' still has published versions or aliases; delete them first`,
    );
  }
  if (!(await deps.store.getFunction(serviceName, serviceName))) throw functionNotFound(name);
}
