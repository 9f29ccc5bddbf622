import type { FastifyInstance } from 'fastify';
import {
  findAsyncInvocation,
  listAsyncInvocations,
  stopAsyncInvocation,
  toInvocationResponse,
} from '../../invoke/index.js';
import type { ApiDeps } from '../context.js';
import { queryParam } from '../routes/common.js';
import { type FunctionParams, qualifierOf } from './functions.js';
import { resolveFc3 } from './names.js';

type TaskParams = { Params: { function: string; task: string } };

/** FC 3.0's async tasks: FC 2.0's stateful async invocations under FC 3.0's names (`taskId`, `taskPayload`). */
export function registerFc3AsyncTaskRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const base = '/functions/:function/async-tasks';

  app.get<FunctionParams>(base, async (request) => {
    const qualifier = qualifierOf(request);
    const target = await resolveFc3(deps.store, request.params.function, qualifier);
    const param = (name: string) => queryParam(request, name);
    const page = await listAsyncInvocations(deps.asyncQueue, target, {
      qualifier: qualifier ? target.qualifier : undefined,
      status: param('status'),
      invocationIdPrefix: param('prefix'),
      startedTimeBegin: param('startedTimeBegin'),
      startedTimeEnd: param('startedTimeEnd'),
      sortOrderByTime: param('sortOrderByTime'),
      limit: param('limit'),
      nextToken: param('nextToken'),
    });
    const includePayload = param('includePayload') === 'true';
    return {
      tasks: page.items.map((inv) =>
        toTask(toInvocationResponse(inv, includePayload), request.params.function),
      ),
      ...(page.nextToken && { nextToken: page.nextToken }),
    };
  });

  app.get<TaskParams>(`${base}/:task`, async (request) => {
    const target = await resolveFc3(deps.store, request.params.function, qualifierOf(request));
    const inv = await findAsyncInvocation(deps.asyncQueue, target, request.params.task);
    return toTask(toInvocationResponse(inv, true), request.params.function);
  });

  app.put<TaskParams>(`${base}/:task/stop`, async (request, reply) => {
    const target = await resolveFc3(deps.store, request.params.function, qualifierOf(request));
    await stopAsyncInvocation(deps.asyncQueue, target, request.params.task, (requestId) =>
      deps.onAsyncStop?.(requestId),
    );
    return reply.status(200).send('');
  });
}

function toTask(invocation: Record<string, unknown>, fc3Name: string): Record<string, unknown> {
  const {
    invocationId,
    invocationPayload,
    invocationErrorMessage,
    serviceName: _s,
    functionName: _f,
    attempts: _a,
    ...rest
  } = invocation;
  return {
    ...rest,
    taskId: invocationId,
    functionName: fc3Name,
    ...(invocationPayload !== undefined && { taskPayload: invocationPayload }),
    ...(invocationErrorMessage !== undefined && { taskErrorMessage: invocationErrorMessage }),
  };
}
