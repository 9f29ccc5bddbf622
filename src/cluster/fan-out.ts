import type { Logger } from 'pino';
import { FcClient } from '../cli/client.js';
import type { ClusterKey } from './cluster-logs.js';
import type { Membership } from './membership.js';

/**
 * GETs an API path (under the FC 2.0 prefix, signed with the shared account key) on every other live node, and
 * returns the answers of those that answered; one that does not is left out and said in the server log.
 */
export async function askOtherNodes<T>(
  membership: Membership | undefined,
  key: ClusterKey,
  path: string,
  logger: Logger,
): Promise<T[]> {
  if (!membership) return [];
  const others = (await membership.liveNodes()).filter((node) => node.name !== membership.options.name);
  const answers = await Promise.all(
    others.map((node) =>
      new FcClient({ endpoint: node.url, ...key }).json<T>('GET', path).catch((error: unknown) => {
        logger.warn({ err: error, node: node.name, path }, 'another node did not answer');
        return undefined;
      }),
    ),
  );
  return answers.filter((answer): answer is Awaited<T> => answer !== undefined) as T[];
}
