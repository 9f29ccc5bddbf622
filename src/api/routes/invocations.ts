import type { FastifyInstance } from 'fastify';
import { FcError, LIMITS } from '../../model/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { parseServiceRef } from './common.js';
import { getFunctionOrThrow } from './functions.js';

export function registerInvocationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post<{ Params: { service: string; function: string } }>(
    `${API_PREFIX}/services/:service/functions/:function/invocations`,
    { bodyLimit: LIMITS.syncPayloadBytesMax },
    async (request, reply) => {
      const invocationType = String(request.headers['x-fc-invocation-type'] ?? 'Sync').toLowerCase();
      if (invocationType !== 'sync') {
        throw new FcError(
          'InvalidArgument',
          `x-fc-invocation-type '${invocationType}' is not supported yet: use Sync`,
        );
      }
      const { serviceName, qualifier } = parseServiceRef(request.params.service);
      const { value: fn, etag } = await getFunctionOrThrow(deps, request.params);
      const service = await deps.store.getService(serviceName);
      if (!service) throw new FcError('ServiceNotFound', `service '${serviceName}' does not exist`);
      const result = await deps.invoker.invoke({
        requestId: request.id,
        service: service.value,
        fn,
        revision: etag,
        qualifier,
        payload: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        tailLogs: String(request.headers['x-fc-log-type'] ?? '').toLowerCase() === 'tail',
      });
      return reply.status(200).headers(result.headers).send(result.body);
    },
  );
}
