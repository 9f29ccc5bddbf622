import type pg from 'pg';
import type { Logger } from 'pino';
import { DB_NOW_MS } from './schema.js';

/** A node as the membership table records it. */
export interface ClusterNodeInfo {
  name: string;
  url: string;
  startedAt: number;
  lastSeen: number;
  /** False once it has missed `missedBeats` heartbeats in a row (by PostgreSQL's clock). */
  alive: boolean;
}

export interface MembershipOptions {
  name: string;
  /** Where other nodes and operators reach this node's API. */
  url: string;
  heartbeatMs: number;
  /** Heartbeats a node may miss before it is treated as dead. */
  missedBeats: number;
}

/**
 * Membership through one row per node: each node upserts its row on start and refreshes `last_seen` every
 * heartbeat; a node whose row is older than `missedBeats` heartbeats is dead. No election, no gossip: the
 * database's clock is the only clock compared.
 */
export class Membership {
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;
  /** Names of the live nodes as of the last heartbeat, sorted (this one included while it beats). */
  #live: string[] = [];

  constructor(
    readonly pool: pg.Pool,
    readonly options: MembershipOptions,
    readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.pool.query(
      `INSERT INTO kumo_nodes (name, url, started_at, last_seen) VALUES ($1, $2, ${DB_NOW_MS}, ${DB_NOW_MS})
       ON CONFLICT (name) DO UPDATE SET url = EXCLUDED.url, started_at = EXCLUDED.started_at,
         last_seen = EXCLUDED.last_seen`,
      [this.options.name, this.options.url],
    );
    this.#live = (await this.liveNodes()).map((node) => node.name);
    this.#timer = setInterval(() => {
      this.#beating ??= this.#beat().finally(() => {
        this.#beating = undefined;
      });
    }, this.options.heartbeatMs);
    this.#timer.unref();
  }

  async #beat(): Promise<void> {
    try {
      await this.pool.query(`UPDATE kumo_nodes SET last_seen = ${DB_NOW_MS}, url = $2 WHERE name = $1`, [
        this.options.name,
        this.options.url,
      ]);
      this.#live = (await this.liveNodes()).map((node) => node.name);
    } catch (error) {
      // PostgreSQL restarting or unreachable: the next beat tries again; others see this node as dead meanwhile.
      this.logger.warn({ err: error }, 'cluster heartbeat failed');
    }
  }

  /** Every registered node, live ones first, then by name. */
  async list(): Promise<ClusterNodeInfo[]> {
    const deadAfter = this.options.heartbeatMs * this.options.missedBeats;
    const { rows } = await this.pool.query<{
      name: string;
      url: string;
      started_at: string;
      last_seen: string;
      alive: boolean;
    }>(
      `SELECT name, url, started_at, last_seen, (${DB_NOW_MS} - last_seen) <= $1 AS alive
       FROM kumo_nodes ORDER BY alive DESC, name`,
      [deadAfter],
    );
    return rows.map((row) => ({
      name: row.name,
      url: row.url,
      startedAt: Number(row.started_at),
      lastSeen: Number(row.last_seen),
      alive: row.alive,
    }));
  }

  /**
   * This node's part of `want` instances spread over the live nodes: an even split, the remainder going to the
   * first nodes by name. Every node computes it from the same table, so the parts add up to `want` (give or take
   * a heartbeat while membership changes). Cut off from the database, a node keeps its last view.
   */
  shareOf(want: number): number {
    const count = Math.max(1, this.#live.length);
    const rank = this.#live.indexOf(this.options.name);
    const position = rank < 0 ? count - 1 : rank;
    return Math.floor(want / count) + (position < want % count ? 1 : 0);
  }

  async liveNodes(): Promise<ClusterNodeInfo[]> {
    return (await this.list()).filter((node) => node.alive);
  }

  /** Stops beating and leaves the table, so the others see this node gone at once (a clean stop, not a death). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#beating;
    await this.pool
      .query('DELETE FROM kumo_nodes WHERE name = $1', [this.options.name])
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not leave the cluster table'));
  }
}
