import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { decodeZipFile } from '../../code/index.js';
import {
  applyFunctionDefaults,
  type CodeInput,
  type CodeRef,
  checkFunctionConsistency,
  createFunctionBody,
  FcError,
  type FunctionRecord,
  invalidArgument,
  parseBody,
  rejectOssCode,
  type Service,
  toFunctionResponse,
  updateFunctionBody,
} from '../../model/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { bodyOf, ifMatch, listQuery, now, parseServiceRef, requireLatest } from './common.js';

type FunctionParams = { Params: { service: string; function: string } };

export function registerFunctionRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store } = deps;
  const base = `${API_PREFIX}/services/:service/functions`;

  app.post<{ Params: { service: string } }>(base, async (request, reply) => {
    const { serviceName } = parseServiceRef(request.params.service);
    const { code, functionName, ...fields } = parseBody(createFunctionBody, bodyOf(request));
    if (!(await store.getService(serviceName))) {
      throw new FcError('ServiceNotFound', `service '${serviceName}' does not exist`);
    }
    if (await store.getFunction(serviceName, functionName)) {
      throw new FcError(
        'FunctionAlreadyExists',
        `function '${functionName}' already exists in service '${serviceName}'`,
      );
    }
    const time = now();
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
    checkRuntime(deps, record);
    record.code = code ? await storeCode(deps, code, request) : null;
    checkFunctionConsistency(record);
    await deps.checkFunction?.(record);
    const stored = await store.createFunction(record);
    return reply.header('etag', stored.etag).send(functionResponse(deps, stored.value));
  });

  app.get<{ Params: { service: string } }>(base, async (request) => {
    const { serviceName, qualifier } = parseServiceRef(request.params.service);
    requireLatest(qualifier);
    const page = await store.listFunctions(serviceName, listQuery(request));
    return {
      functions: page.items.map((f) => functionResponse(deps, f.value)),
      ...(page.nextToken && { nextToken: page.nextToken }),
    };
  });

  app.get<FunctionParams>(`${base}/:function`, async (request, reply) => {
    const stored = await getFunctionOrThrow(deps, request.params);
    return reply.header('etag', stored.etag).send(functionResponse(deps, stored.value));
  });

  app.put<FunctionParams>(`${base}/:function`, async (request, reply) => {
    const { serviceName } = parseServiceRef(request.params.service);
    const { code, ...changes } = parseBody(updateFunctionBody, bodyOf(request));
    const current = await getFunctionOrThrow(deps, request.params);
    const record: FunctionRecord = { ...current.value, ...changes, serviceName, lastModifiedTime: now() };
    checkRuntime(deps, record);
    if (code) record.code = await storeCode(deps, code, request);
    checkFunctionConsistency(record);
    await deps.checkFunction?.(record);
    const stored = await store.updateFunction(record, ifMatch(request));
    deps.onFunctionChanged(serviceName, record.functionName);
    return reply.header('etag', stored.etag).send(functionResponse(deps, stored.value));
  });

  app.delete<FunctionParams>(`${base}/:function`, async (request, reply) => {
    const { serviceName } = parseServiceRef(request.params.service);
    await store.deleteFunction(serviceName, request.params.function, ifMatch(request));
    deps.onFunctionChanged(serviceName, request.params.function);
    return reply.status(204).send();
  });
}

export async function getFunctionOrThrow(
  deps: ApiDeps,
  params: { service: string; function: string },
): Promise<{ value: FunctionRecord; etag: string }> {
  return (await getServiceAndFunction(deps, params)).fn;
}

/** Resolves `services/{s}[.LATEST]/functions/{f}` to both records, with FC's not-found errors. */
export async function getServiceAndFunction(
  { store }: ApiDeps,
  params: { service: string; function: string },
): Promise<{ service: Service; fn: { value: FunctionRecord; etag: string } }> {
  const { serviceName, qualifier } = parseServiceRef(params.service);
  requireLatest(qualifier);
  const service = await store.getService(serviceName);
  if (!service) throw new FcError('ServiceNotFound', `service '${serviceName}' does not exist`);
  const fn = await store.getFunction(serviceName, params.function);
  if (!fn) {
    throw new FcError(
      'FunctionNotFound',
      `function '${params.function}' does not exist in service '${serviceName}'`,
    );
  }
  return { service: service.value, fn };
}

/** The API's view of a function, with a container image's status as FC's `accelerationInfo`. */
function functionResponse(deps: ApiDeps, fn: FunctionRecord): Record<string, unknown> {
  const response = toFunctionResponse(fn);
  const image = fn.customContainerConfig && deps.imageStatus?.(fn);
  if (image) response.customContainerConfig = { ...fn.customContainerConfig, accelerationInfo: image };
  return response;
}

function checkRuntime(deps: ApiDeps, record: FunctionRecord): void {
  if (record.runtime === '') throw invalidArgument('runtime is required');
  deps.checkRuntime(record.runtime);
}

async function storeCode(deps: ApiDeps, code: CodeInput, request: FastifyRequest): Promise<CodeRef> {
  rejectOssCode(code);
  if (!code.zipFile) throw invalidArgument('code.zipFile is required: a base64 encoded zip of your code');
  const zip = decodeZipFile(code.zipFile, deps.code.limits);
  const stored = await deps.code.put(zip);
  const expected = request.headers['x-fc-code-checksum'];
  if (typeof expected === 'string' && expected !== '' && expected !== stored.codeChecksum) {
    throw invalidArgument(
      `x-fc-code-checksum ${expected} does not match the code's CRC64 ${stored.codeChecksum}`,
    );
  }
  return { sha256: stored.sha256, codeSize: stored.codeSize, codeChecksum: stored.codeChecksum };
}
