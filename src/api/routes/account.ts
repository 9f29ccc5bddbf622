import type { FastifyInstance } from 'fastify';
import { FcError } from '../../model/index.js';
import { API_PREFIX, type ApiDeps } from '../context.js';
import { jsonBody, pageInput, pageOf, queryParam } from './common.js';

/**
 * Account-wide calls: tags on services, reserved capacities, account configs, and the answer to fc2's
 * large-code path (`withoutCodeLimit`), which uploads to Alibaba Cloud's own OSS.
 */
export function registerAccountRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { tags } = deps.control;

  // FC answers tag and untag with an empty 200.
  app.post(`${API_PREFIX}/tag`, async (request, reply) => {
    await tags.tag(jsonBody(request));
    return reply.status(200).send();
  });

  app.delete(`${API_PREFIX}/tag`, async (request, reply) => {
    await tags.untag(jsonBody(request));
    return reply.status(200).send();
  });

  app.get(`${API_PREFIX}/tag`, async (request) => tags.get(queryParam(request, 'resourceArn')));

  // Reserved capacity is a billing product of Alibaba Cloud: a self-hosted account has none.
  app.get(`${API_PREFIX}/reservedCapacities`, async (request) => {
    const { limit } = pageInput(request);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0 || limit > 100)) {
      throw new FcError('InvalidArgument', 'limit must be an integer between 0 and 100');
    }
    return pageOf('reservedCapacities', [], undefined);
  });

  app.get(`${API_PREFIX}/accountConfigs`, async (request) => {
    const known: Record<string, number> = { CodeSizeLimit: deps.config.maxZipBytes };
    const raw = (request.query as Record<string, string | string[] | undefined>).config;
    const wanted = raw === undefined ? Object.keys(known) : ([] as string[]).concat(raw);
    const unknown = wanted.filter((name) => !(name in known));
    if (unknown.length > 0) {
      throw new FcError(
        'InvalidArgument',
        `unknown account config '${unknown[0]}'; known: ${Object.keys(known).join(', ')}`,
      );
    }
    return Object.fromEntries(wanted.map((name) => [name, known[name]]));
  });

  const largeCode = async () => {
    throw noTempCodeBucket(deps.config.maxZipBytes, deps.config.maxUnzippedBytes);
  };
  app.get(`${API_PREFIX}/services/:service/tempCodeBucketToken`, largeCode);
  app.get(`${API_PREFIX}/tempBucketToken`, largeCode);
}

/** fc2's `withoutCodeLimit` uploads to a hard-coded Alibaba Cloud OSS endpoint: say what to do instead. */
function noTempCodeBucket(maxZipBytes: number, maxUnzippedBytes: number): FcError {
  const mb = (bytes: number) => `${Math.floor(bytes / (1024 * 1024))} MB`;
  return new FcError(
    'NotSupported',
    `large code packages are uploaded to Alibaba Cloud OSS, which this Kumo server cannot stand in for: send the zip inline instead (createFunction/updateFunction or publishLayerVersion without withoutCodeLimit; code.zipFile up to ${mb(maxZipBytes)} zipped and ${mb(maxUnzippedBytes)} unzipped, raised with KUMO_MAX_ZIP_BYTES/KUMO_MAX_UNZIPPED_BYTES), or deploy with 'kumo deploy'`,
  );
}
