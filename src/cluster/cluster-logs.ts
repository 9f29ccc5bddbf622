import type { Logger } from 'pino';
import { FcClient } from '../cli/client.js';
import type { LogQuery, LogRecord, LogStore } from '../logs/index.js';
import type { Membership } from './membership.js';

/** The account key every node of a cluster shares (the PostgreSQL store keeps it). */
export interface ClusterKey {
  accessKeyId: string;
  accessKeySecret: string;
  accountId: string;
}

/**
 * Function logs queried from any node: each node keeps the logs of the calls it ran, so a query asks this node's
 * store and every other live node's (`?scope=node`, signed with the account key), and merges the lines by time.
 * A tail (`after`, a per-node cursor) and a `scope=node` query read this node only. A node that does not answer in
 * time is left out and said in the server log.
 */
export class ClusterLogs implements LogStore {
  constructor(
    readonly local: LogStore,
    readonly membership: () => Membership | undefined,
    readonly key: ClusterKey,
    readonly logger: Logger,
  ) {}

  get limits() {
    return this.local.limits;
  }

  append(...args: Parameters<LogStore['append']>): void {
    this.local.append(...args);
  }

  close(): Promise<void> {
    return this.local.close();
  }

  async query(query: LogQuery): Promise<LogRecord[]> {
    const own = this.local.query(query);
    const membership = this.membership();
    if (query.nodeOnly || query.after !== undefined || !membership) return own;
    const others = (await membership.liveNodes()).filter((node) => node.name !== membership.options.name);
    const remote = await Promise.all(others.map((node) => this.#remote(node.url, node.name, query)));
    return [await own, ...remote]
      .flat()
      .sort((a, b) => a.time - b.time)
      .slice(0, query.limit);
  }

  async #remote(url: string, name: string, query: LogQuery): Promise<LogRecord[]> {
    const params = new URLSearchParams({ scope: 'node', limit: String(query.limit) });
    if (query.requestId) params.set('requestId', query.requestId);
    if (query.since !== undefined) params.set('since', String(query.since));
    if (query.until !== undefined) params.set('until', String(query.until));
    if (query.text) params.set('text', query.text);
    const path = `/services/${encodeURIComponent(query.serviceName)}/functions/${encodeURIComponent(query.functionName)}/logs?${params}`;
    try {
      const client = new FcClient({ endpoint: url, ...this.key });
      const answer = await client.json<{ logs: (Omit<LogRecord, 'time'> & { time: string })[] }>('GET', path);
      return answer.logs.map((line) => ({
        ...line,
        time: Date.parse(line.time),
        serviceName: query.serviceName,
        functionName: query.functionName,
      }));
    } catch (error) {
      this.logger.warn({ err: error, node: name }, 'could not read function logs from another node');
      return [];
    }
  }
}
