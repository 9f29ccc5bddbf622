import type { FastifyInstance } from 'fastify';
import { LIMITS } from '../../model/index.js';
import type { ApiDeps } from '../context.js';
import { answerInvocation } from '../routes/invocations.js';
import { type FunctionParams, qualifierOf } from './functions.js';
import { resolveFc3 } from './names.js';

/** InvokeFunction: sync (with `x-fc-log-type: Tail`) or async (`x-fc-async-task-id` names the task). */
export function registerFc3InvocationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post<FunctionParams>(
    '/functions/:function/invocations',
    { bodyLimit: LIMITS.syncPayloadBytesMax },
    async (request, reply) =>
      answerInvocation(deps, request, reply, {
        target: () => resolveFc3(deps.store, request.params.function, qualifierOf(request)),
        invocationIdHeader: 'x-fc-async-task-id',
      }),
  );
}
