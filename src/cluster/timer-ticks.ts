import type pg from 'pg';
import { DB_NOW_MS } from './schema.js';

/**
 * Per-tick claim rows: every node runs every timer, and at each tick each node tries to insert
 * (trigger, tick); the one insert that succeeds fires. There is no leader to lose: a dead node simply stops
 * competing, and the next tick is claimed by a live one.
 */
export class TimerTickClaims {
  #lastPrune = 0;

  constructor(
    readonly pool: pg.Pool,
    readonly nodeName: string,
    /** Claims older than this are deleted (they only need to outlive clock skew between nodes). */
    readonly keepMs = 3_600_000,
  ) {}

  /** True when this node won the tick and must fire it. */
  async claim(triggerKey: string, tick: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO kumo_timer_ticks (trigger_key, tick, node, claimed_at) VALUES ($1, $2, $3, ${DB_NOW_MS})
       ON CONFLICT DO NOTHING`,
      [triggerKey, tick, this.nodeName],
    );
    void this.#prune();
    return rowCount === 1;
  }

  async #prune(): Promise<void> {
    const now = Date.now();
    if (now - this.#lastPrune < 60_000) return;
    this.#lastPrune = now;
    await this.pool
      .query(`DELETE FROM kumo_timer_ticks WHERE claimed_at < ${DB_NOW_MS} - $1`, [this.keepMs])
      .catch(() => undefined);
  }
}
