import { hostname } from 'node:os';
import pg from 'pg';
import type { Logger } from 'pino';
import type { KumoConfig } from '../config.js';
import type { LogStore } from '../logs/index.js';
import type { AsyncQueueStore } from '../store/index.js';
import { LeasedAsyncQueue } from './async-leases.js';
import { type BusHandlers, ClusterBus, type ClusterChange } from './bus.js';
import { type ClusterKey, ClusterLogs } from './cluster-logs.js';
import { askOtherNodes } from './fan-out.js';
import { type ClusterNodeInfo, Membership } from './membership.js';
import { ensureClusterSchema } from './schema.js';
import { TimerTickClaims } from './timer-ticks.js';

/**
 * This process as one node of a Kumo cluster sharing PostgreSQL: its own small connection pool for coordination
 * (membership, change notifications, timer ticks, async leases), separate from the store's pool so a busy store
 * cannot starve heartbeats.
 */
export class ClusterNode {
  #membership: Membership | undefined;
  #handlers: BusHandlers = { onChange: () => undefined, onResync: () => undefined };
  readonly bus: ClusterBus;
  readonly ticks: TimerTickClaims;
  /** For the timer triggers: true when this node won the tick. */
  readonly claimTick = (triggerKey: string, tick: number) => this.ticks.claim(triggerKey, tick);

  private constructor(
    readonly pool: pg.Pool,
    readonly name: string,
    readonly config: KumoConfig,
    readonly logger: Logger,
  ) {
    const storeUrl = config.storeUrl as string;
    this.bus = new ClusterBus(
      storeUrl,
      pool,
      name,
      { onChange: (c) => this.#handlers.onChange(c), onResync: () => this.#handlers.onResync() },
      logger,
    );
    this.ticks = new TimerTickClaims(pool, name);
  }

  /** Connects, creates the cluster tables and starts listening for changes (before the server takes calls). */
  static async start(config: KumoConfig, logger: Logger): Promise<ClusterNode> {
    const pool = new pg.Pool({ connectionString: config.storeUrl, max: 4 });
    pool.on('error', (error) => logger.warn({ err: error }, 'cluster database connection failed'));
    const name = config.nodeName ?? `${hostname()}:${config.port}`;
    try {
      await ensureClusterSchema(pool);
      const node = new ClusterNode(pool, name, config, logger);
      await node.bus.start();
      return node;
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
  }

  /** The queue with leased claims, over the PostgreSQL store's queue table. */
  async leasedQueue(inner: AsyncQueueStore): Promise<AsyncQueueStore> {
    await LeasedAsyncQueue.migrate(this.pool);
    return new LeasedAsyncQueue(inner, this.pool, this.name, this.config.clusterLeaseMs);
  }

  follow(handlers: BusHandlers): void {
    this.#handlers = handlers;
  }

  publish(change: ClusterChange): void {
    void this.bus.publish(change);
  }

  /** Registers in the membership table once the node listens at `url`. */
  async join(url: string): Promise<void> {
    this.#membership = new Membership(
      this.pool,
      {
        name: this.name,
        url: this.config.nodeUrl ?? url,
        heartbeatMs: this.config.clusterHeartbeatMs,
        missedBeats: this.config.clusterMissedBeats,
      },
      this.logger,
    );
    await this.#membership.start();
  }

  /** The function logs of every live node, queried through this one. */
  logsAcrossNodes(local: LogStore, key: ClusterKey): LogStore {
    return new ClusterLogs(local, () => this.#membership, key, this.logger);
  }

  /** `listInstances` across the cluster: this node's name, and the other live nodes' instances for a path. */
  instancesAcrossNodes(key: ClusterKey) {
    return {
      nodeName: this.name,
      otherNodes: async (path: string) =>
        (
          await askOtherNodes<{ instances: Record<string, unknown>[] }>(
            this.#membership,
            key,
            path,
            this.logger,
          )
        ).flatMap((answer) => answer.instances),
    };
  }

  /** This node's part of `want` provisioned instances (all of them until it has joined). */
  readonly share = (want: number): number => this.#membership?.shareOf(want) ?? want;

  async nodes(): Promise<ClusterNodeInfo[]> {
    return this.#membership ? this.#membership.list() : [];
  }

  async close(): Promise<void> {
    await this.#membership?.close();
    await this.bus.close();
    await this.pool.end().catch(() => undefined);
  }
}
