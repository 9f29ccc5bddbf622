import { createHmac } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { resolveTarget } from '../../invoke/index.js';
import { FcError } from '../../model/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { signaturesEqual } from '../signature.js';
import { originOf, targetRef } from './common.js';

/** How long a code download URL stays valid. */
const URL_TTL_SECONDS = 30 * 60;

export function registerCodeRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const secret = deps.credentials.accessKeySecret;

  app.get<{ Params: { service: string; function: string } }>(
    `${API_PREFIX}/services/:service/functions/:function/code`,
    async (request) => {
      const { fn, code } = await resolveTarget(deps.store, targetRef(request));
      if (!code) throw new FcError('InvalidArgument', `function '${fn.functionName}' has no code package`);
      const expires = Math.floor(Date.now() / 1000) + URL_TTL_SECONDS;
      const signature = signDownload(secret, code.sha256, expires);
      const url = `${originOf(request)}${API_PREFIX}/code-packages/${code.sha256}.zip?expires=${expires}&signature=${signature}`;
      return { url, checksum: code.codeChecksum };
    },
  );

  app.get<{ Params: { file: string }; Querystring: { expires?: string; signature?: string } }>(
    `${API_PREFIX}/code-packages/:file`,
    async (request, reply) => {
      const sha256 = /^([a-f0-9]{64})\.zip$/.exec(request.params.file)?.[1];
      const expires = Number(request.query.expires);
      const given = request.query.signature ?? '';
      if (
        !sha256 ||
        !Number.isInteger(expires) ||
        !signaturesEqual(signDownload(secret, sha256, expires), given)
      ) {
        throw new FcError('AccessDenied', 'the code download URL is invalid');
      }
      if (expires < Date.now() / 1000) throw new FcError('AccessDenied', 'the code download URL has expired');
      if (!(await deps.code.has(sha256)))
        throw new FcError('FunctionNotFound', 'the code package no longer exists');
      return reply.type('application/zip').send(createReadStream(deps.code.zipPath(sha256)));
    },
  );
}

function signDownload(secret: string, sha256: string, expires: number): string {
  return createHmac('sha256', secret).update(`code-package\n${sha256}\n${expires}`).digest('base64url');
}
