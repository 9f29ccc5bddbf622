import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CodeDownloads } from '../../code/index.js';
import { type LayerVersion, toLayerResponse } from '../../model/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { codeJsonBody } from './code-body.js';
import { originOf, pageInput, pageOf, queryParam } from './common.js';

type LayerParams = { Params: { layer: string } };
type VersionParams = { Params: { layer: string; version: string } };

/** Layers (FC_API.md §4.9), as `@alicloud/fc2` calls them. */
export function registerLayerRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { layers } = deps.control;
  const downloads = new CodeDownloads(deps.credentials.accessKeySecret);
  const base = `${API_PREFIX}/layers`;

  /** FC's Layer structure; `code.location` is a signed, time-limited download URL of the layer's zip. */
  const answer = (request: FastifyRequest, layer: LayerVersion) => {
    const { expires, signature } = downloads.grant(layer.sha256);
    const location = `${originOf(request)}${API_PREFIX}/code-packages/${layer.sha256}.zip?expires=${expires}&signature=${signature}`;
    return toLayerResponse(layer, {
      region: deps.config.region,
      accountId: deps.credentials.accountId,
      location,
    });
  };

  app.post<LayerParams>(`${base}/:layer/versions`, async (request, reply) => {
    const stored = await layers.publish(request.params.layer, codeJsonBody(request));
    return reply.header('etag', stored.etag).send(answer(request, stored.value));
  });

  app.get(base, async (request) => {
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

  app.get<LayerParams>(`${base}/:layer/versions`, async (request) => {
    const page = await layers.listVersions(request.params.layer, {
      startVersion: queryParam(request, 'startVersion'),
      limit: pageInput(request).limit,
    });
    return {
      layers: page.items.map((layer) => answer(request, layer.value)),
      ...(page.nextVersion !== undefined && { nextVersion: page.nextVersion }),
    };
  });

  app.get<VersionParams>(`${base}/:layer/versions/:version`, async (request, reply) => {
    const stored = await layers.get(request.params.layer, request.params.version);
    return reply.header('etag', stored.etag).send(answer(request, stored.value));
  });

  app.get<{ Params: { arn: string } }>(`${API_PREFIX}/layerarn/:arn`, async (request, reply) => {
    const stored = await layers.getByArn(request.params.arn);
    return reply.header('etag', stored.etag).send(answer(request, stored.value));
  });

  app.delete<VersionParams>(`${base}/:layer/versions/:version`, async (request, reply) => {
    await layers.delete(request.params.layer, request.params.version);
    return reply.status(204).send();
  });

  app.put<LayerParams>(`${base}/:layer/acl`, async (request, reply) => {
    await layers.putAcl(request.params.layer, queryParam(request, 'public'));
    return reply.status(200).send();
  });
}
