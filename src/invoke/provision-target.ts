import { Cron } from 'croner';
import { type ProvisionConfig, SCHEDULE_PATTERN, type ScheduledAction } from '../model/index.js';

/** What target tracking measures now, for one provision config. */
export interface ProvisionLoad {
  /** Provisioned instances ready now. */
  current: number;
  /** Calls in flight on them / their slots (0 when there are none). */
  utilization: number;
}

const inWindow = (item: { startTime?: string; endTime?: string }, now: Date) =>
  (!item.startTime || Date.parse(item.startTime) <= now.getTime()) &&
  (!item.endTime || now.getTime() <= Date.parse(item.endTime));

/** When a scheduled action last fired at or before `now` (within its window), or undefined if it has not. */
export function lastFire(action: ScheduledAction, now: Date): Date | undefined {
  if (!inWindow({ startTime: action.startTime }, now)) return undefined;
  const match = SCHEDULE_PATTERN.exec(action.scheduleExpression.trim());
  let fired: Date | undefined;
  if (match?.groups?.at) {
    const at = new Date(Date.parse(match.groups.at));
    fired = at.getTime() <= now.getTime() ? at : undefined;
  } else if (match?.groups?.cron) {
    const cron = new Cron(match.groups.cron.trim(), { timezone: 'Etc/UTC', paused: true });
    fired = cron.previousRuns(1, now)[0];
  }
  if (!fired) return undefined;
  if (action.startTime && fired.getTime() < Date.parse(action.startTime)) return undefined;
  if (action.endTime && fired.getTime() > Date.parse(action.endTime)) return undefined;
  return fired;
}

/**
 * The number of provisioned instances wanted now, as FC computes it: `target`, unless a policy is in effect.
 * A scheduled action in its window that has fired sets the target from then on (the latest one fired wins). A
 * target-tracking policy in its window wants `ceil(current × utilization / metricTarget)` within
 * [minCapacity, maxCapacity]. When several are in effect, the largest number wins.
 */
export function effectiveTarget(config: ProvisionConfig, now: Date, load: ProvisionLoad): number {
  const wanted: number[] = [];
  let latest: { at: number; target: number } | undefined;
  for (const action of config.scheduledActions) {
    const fired = lastFire(action, now);
    if (fired && (!latest || fired.getTime() > latest.at))
      latest = { at: fired.getTime(), target: action.target };
  }
  if (latest) wanted.push(latest.target);
  for (const policy of config.targetTrackingPolicies) {
    if (!inWindow(policy, now)) continue;
    const needed = Math.ceil((load.current * load.utilization) / policy.metricTarget);
    wanted.push(Math.min(policy.maxCapacity, Math.max(policy.minCapacity, needed)));
  }
  return wanted.length === 0 ? config.target : Math.max(...wanted);
}
