import type { FastifyInstance, HTTPMethods } from 'fastify';
import { FcError } from '../../model/index.js';

/**
 * FC 3.0 operations Kumo does not serve yet, each answered with FC 3.0's error naming exactly what is
 * missing (never a bare "path not supported"): `[method, path, operation, why]`.
 */
const UNSERVED: [HTTPMethods, string, string, string][] = [
  ['POST', '/functions/:function/sessions', 'CreateSession', 'session affinity is not implemented'],
  ['GET', '/functions/:function/sessions', 'ListSessions', 'session affinity is not implemented'],
  ['GET', '/functions/:function/sessions/:id', 'GetSession', 'session affinity is not implemented'],
  ['PUT', '/functions/:function/sessions/:id', 'UpdateSession', 'session affinity is not implemented'],
  ['DELETE', '/functions/:function/sessions/:id', 'DeleteSession', 'session affinity is not implemented'],
  ['PUT', '/functions/:function/sessions/:id/pause', 'PauseSession', 'session affinity is not implemented'],
  ['PUT', '/functions/:function/sessions/:id/resume', 'ResumeSession', 'session affinity is not implemented'],
  ['POST', '/functions/:function/vpc-bindings', 'CreateVpcBinding', 'Kumo has no VPCs to bind'],
  ['GET', '/functions/:function/vpc-bindings', 'ListVpcBindings', 'Kumo has no VPCs to bind'],
  ['DELETE', '/functions/:function/vpc-bindings/:id', 'DeleteVpcBinding', 'Kumo has no VPCs to bind'],
  ['POST', '/functions/:function/invoke/disable', 'DisableFunctionInvocation', 'not implemented yet'],
  ['POST', '/functions/:function/invoke/enable', 'EnableFunctionInvocation', 'not implemented yet'],
  ['GET', '/regions', 'DescribeRegions', 'a Kumo server is one region (see its KUMO_REGION)'],
  ['PUT', '/resource-groups', 'ChangeResourceGroup', 'Kumo has no resource groups'],
];

export function registerFc3UnservedRoutes(app: FastifyInstance, extra: typeof UNSERVED = []): void {
  for (const [method, url, operation, why] of [...UNSERVED, ...extra]) {
    app.route({
      method,
      url,
      handler: async () => {
        throw new FcError(
          'NotSupported',
          `FC 3.0's ${operation} (${method} /2023-03-30${url}) is not served by Kumo: ${why}`,
        );
      },
    });
  }
}
