import type { FastifyInstance } from 'fastify';
import { enqueueAsync } from '../../invoke/index.js';
import { FcError, LIMITS } from '../../model/index.js';
import type { ApiDeps } from '../context.js';
import { type FunctionParams, qualifierOf } from './functions.js';
import { resolveFc3 } from './names.js';

/** InvokeFunction: sync (with `x-fc-log-type: Tail`) or async (`x-fc-async-task-id` names the task). */
export function registerFc3InvocationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post<FunctionParams>(
    '/functions/:function/invocations',
    { bodyLimit: LIMITS.syncPayloadBytesMax },
    async (request, reply) => {
      const invocationType = String(request.headers['x-fc-invocation-type'] ?? 'Sync').toLowerCase();
      if (invocationType !== 'sync' && invocationType !== 'async') {
        throw new FcError(
          'InvalidArgument',
          `x-fc-invocation-type must be Sync or Async, not '${invocationType}'`,
        );
      }
      const target = await resolveFc3(deps.store, request.params.function, qualifierOf(request));
      const payload = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);

      if (invocationType === 'async') {
        const task = request.headers['x-fc-async-task-id'];
        const invocationId = typeof task === 'string' && task !== '' ? task : undefined;
        await enqueueAsync(deps.asyncQueue, target, { requestId: request.id, payload, invocationId });
        deps.onAsyncEnqueued();
        if (invocationId) reply.header('x-fc-async-task-id', invocationId);
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
