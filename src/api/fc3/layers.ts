import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CodeDownloads } from '../../code/index.js';
import { type LayerVersion, toLayerResponse } from '../../model/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { codeJsonBody } from '../routes/code-body.js';
import { originOf, pageInput, pageOf, queryParam } from '../routes/common.js';

type LayerParams = { Params: { layer: string } };
type VersionParams = { Params: { layer: string; version: string } };

/** Layers: the account's FC 2.0 layers, the same paths under `/2023-03-30` (FC 3.0's `acl` is `0`/`1`). */
export function registerFc3LayerRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { layers } = deps.control;
  const downloads = new CodeDownloads(deps.credentials.accessKeySecret);
  const answer = (request: FastifyRequest, layer: LayerVersion) => {
    const { expires, signature } = downloads.grant(layer.sha256);
    const location = `${originOf(request)}${API_PREFIX}/code-packages/${layer.sha256}.zip?expires=${expires}&signature=${signature}`;
    const {
      arn: _oldArn,
      arnV2: _arnV2,
      ...fields
    } = toLayerResponse(layer, {
      region: deps.config.region,
      accountId: deps.credentials.accountId,
      location,
    });
    return { ...fields, acl: String(layer.acl) };
  };

  app.post<LayerParams>('/layers/:layer/versions', async (request) =>
    answer(request, (await layers.publish(request.params.layer, codeJsonBody(request))).value),
  );

  app.get('/layers', async (request) => {
    const page = await layers.list(pageInput(request), {
      public: queryParam(request, 'public'),
      official: queryParam(request, 'official'),
    });
    return pageOf(
      'layers',
      page.items.map((layer) => answer(request, layer.value)),
      page.nextToken,
    );
  });

  app.get<LayerParams>('/layers/:layer/versions', async (request) => {
    const page = await layers.listVersions(request.params.layer, {
      startVersion: queryParam(request, 'startVersion'),
      limit: pageInput(request).limit,
    });
    return {
      layers: page.items.map((layer) => answer(request, layer.value)),
      ...(page.nextVersion !== undefined && { nextVersion: page.nextVersion }),
    };
  });

  app.get<VersionParams>('/layers/:layer/versions/:version', async (request) =>
    answer(request, (await layers.get(request.params.layer, request.params.version)).value),
  );

  app.get<{ Params: { arn: string } }>('/layerarn/:arn', async (request) =>
    answer(request, (await layers.getByArn(request.params.arn)).value),
  );

  app.delete<VersionParams>('/layers/:layer/versions/:version', async (request, reply) => {
    await layers.delete(request.params.layer, request.params.version);
    return reply.status(204).send();
  });

  // FC 3.0 sends `public=true|false` (and an `acl` the same way); Kumo's layers are private or public.
  app.put<LayerParams>('/layers/:layer/acl', async (request, reply) => {
    const acl = queryParam(request, 'acl');
    const isPublic = queryParam(request, 'public') ?? (acl === undefined ? undefined : String(acl === '1'));
    await layers.putAcl(request.params.layer, isPublic);
    return reply.status(200).send();
  });
}
