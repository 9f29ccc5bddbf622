import type { FastifyInstance } from 'fastify';
import { enqueueAsync, resolveTarget } from '../../invoke/index.js';
import { FcError, LIMITS } from '../../model/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { targetRef } from './common.js';

type Params = { Params: { service: string; function: string } };

export function registerInvocationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const base = `${API_PREFIX}/services/:service/functions/:function`;

  app.post<Params>(
    `${base}/invocations`,
    { bodyLimit: LIMITS.syncPayloadBytesMax },
    async (request, reply) => {
      const invocationType = String(request.headers['x-fc-invocation-type'] ?? 'Sync').toLowerCase();
      if (invocationType !== 'sync' && invocationType !== 'async') {
        throw new FcError(
          'InvalidArgument',
          `x-fc-invocation-type must be Sync or Async, not '${invocationType}'`,
        );
      }
      const target = await resolveTarget(deps.store, targetRef(request));
      const payload = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);

      if (invocationType === 'async') {
        const stateful = request.headers['x-fc-stateful-async-invocation-id'];
        const invocationId = typeof stateful === 'string' && stateful !== '' ? stateful : undefined;
        await enqueueAsync(deps.asyncQueue, target, { requestId: request.id, payload, invocationId });
        deps.onAsyncEnqueued();
        if (invocationId) reply.header('x-fc-stateful-async-invocation-id', invocationId);
        return reply.status(202).send('');
      }

      const result = await deps.invoker.invoke({
        requestId: request.id,
        service: target.service,
        fn: target.fn,
        revision: target.revision,
        qualifier: target.qualifier,
        versionId: target.versionId,
        payload,
        tailLogs: String(request.headers['x-fc-log-type'] ?? '').toLowerCase() === 'tail',
      });
      return reply.status(200).headers(result.headers).send(result.body);
    },
  );
}
