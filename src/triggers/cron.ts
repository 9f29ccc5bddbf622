import { Cron } from 'croner';
import { invalidArgument } from '../model/index.js';

const EVERY = /^@every\s+(\d+)\s*([smh])$/i;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600 } as const;

/**
 * FC's timer syntax: `@every 5m`, or a 5- or 6-field cron (seconds first) in UTC, optionally prefixed with
 * `CRON_TZ=<zone>`. Returns a paused Cron that calls `fire`; throws a 400 naming the problem.
 */
export function createCron(expression: string, fire: () => void): Cron {
  let pattern = expression.trim();
  let timezone = 'Etc/UTC';
  const tz = /^CRON_TZ=(\S+)\s+(.*)$/.exec(pattern);
  if (tz) {
    timezone = tz[1] as string;
    pattern = tz[2] as string;
  }
  const every = EVERY.exec(pattern);
  try {
    if (every) {
      const seconds =
        Number(every[1]) * UNIT_SECONDS[(every[2] as string).toLowerCase() as keyof typeof UNIT_SECONDS];
      if (seconds < 1) throw new Error('@every needs at least 1 second');
      return new Cron('* * * * * *', { interval: seconds, timezone, paused: true, protect: true }, fire);
    }
    return new Cron(pattern, { timezone, paused: true, protect: true }, fire);
  } catch (error) {
    throw invalidArgument(
      `invalid triggerConfig.cronExpression '${expression}': ${(error as Error).message}`,
    );
  }
}

/**
 * The tick a firing belongs to, the same on every node: `@every N` cuts time into N-second cells from the epoch
 * (each node fires once per cell whatever second it started on), a cron pattern fires on whole seconds.
 */
export function timerTick(expression: string, now: number): number {
  const every = EVERY.exec(expression.trim().replace(/^CRON_TZ=\S+\s+/, ''));
  if (!every) return Math.round(now / 1000) * 1000;
  const periodMs =
    Number(every[1]) * UNIT_SECONDS[(every[2] as string).toLowerCase() as keyof typeof UNIT_SECONDS] * 1000;
  return Math.floor(now / periodMs) * periodMs;
}
