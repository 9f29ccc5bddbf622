import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { CodeDownloads } from '../../code/index.js';
import { ALIAS_MAIN_VERSION, resolveTarget } from '../../invoke/index.js';
import { FcError } from '../../model/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { originOf, queryParam, targetRef } from './common.js';

export function registerCodeRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const downloads = new CodeDownloads(deps.credentials.accessKeySecret);

  app.get<{ Params: { service: string; function: string } }>(
    `${API_PREFIX}/services/:service/functions/:function/code`,
    async (request) => {
      const { fn, code } = await resolveTarget(deps.store, targetRef(request), ALIAS_MAIN_VERSION);
      if (!code) throw new FcError('InvalidArgument', `function '${fn.functionName}' has no code package`);
      const { expires, signature } = downloads.grant(code.sha256);
      const url = `${originOf(request)}${API_PREFIX}/code-packages/${code.sha256}.zip?expires=${expires}&signature=${signature}`;
      return { url, checksum: code.codeChecksum };
    },
  );

  app.get<{ Params: { file: string } }>(`${API_PREFIX}/code-packages/:file`, async (request, reply) => {
    const sha256 = /^([a-f0-9]{64})\.zip$/.exec(request.params.file)?.[1];
    downloads.check(sha256, Number(queryParam(request, 'expires')), queryParam(request, 'signature') ?? '');
    if (!sha256 || !(await deps.code.has(sha256))) {
      throw new FcError('FunctionNotFound', 'the code package no longer exists');
    }
    return reply.type('application/zip').send(createReadStream(deps.code.zipPath(sha256)));
  });
}
