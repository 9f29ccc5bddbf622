import type { FastifyInstance } from 'fastify';
import { API_PREFIX } from '../api/context.js';
import type { ClusterNodeInfo } from './membership.js';
import type { ClusterNode } from './node.js';

/**
 * `GET /2016-08-15/kumo/nodes` (a Kumo extension, signed like every route under the prefix, account key only):
 * the cluster's nodes. A single node with the embedded store answers itself.
 */
export function registerNodeRoutes(
  app: FastifyInstance,
  cluster: ClusterNode | undefined,
  nodeName: string | undefined,
): { listening(url: string): string } {
  /** This node; its url is set once it listens. */
  const me = { name: cluster?.name ?? nodeName ?? 'local', url: '', startedAt: Date.now() };
  app.get(`${API_PREFIX}/kumo/nodes`, async () => {
    const nodes: ClusterNodeInfo[] = cluster
      ? await cluster.nodes()
      : [{ ...me, lastSeen: Date.now(), alive: true }];
    return {
      store: cluster ? 'postgres' : 'sqlite',
      self: me.name,
      nodes: nodes.map((node) => ({
        name: node.name,
        url: node.url,
        startedTime: new Date(node.startedAt).toISOString(),
        lastSeenTime: new Date(node.lastSeen).toISOString(),
        state: node.alive ? 'Alive' : 'Dead',
      })),
    };
  });
  return {
    listening: (url) => {
      me.url = url;
      return url;
    },
  };
}
