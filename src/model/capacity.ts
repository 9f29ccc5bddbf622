import { z } from 'zod';
import { LIMITS, NAME_PATTERN } from './limits.js';

/**
 * FC's scheduled scaling of provisioned instances: from `startTime` to `endTime`, each time the schedule fires
 * (`cron(<6 fields, UTC>)` or `at(<ISO time>)`), the target becomes `target` until the next action fires.
 */
export interface ScheduledAction {
  name: string;
  startTime?: string;
  endTime?: string;
  target: number;
  scheduleExpression: string;
}

/**
 * FC's metric tracking: while active, the target follows the metric so that it stays near `metricTarget`,
 * between `minCapacity` and `maxCapacity`. Kumo measures `ProvisionedConcurrencyUtilization` (calls in flight
 * on the provisioned instances / their total slots).
 */
export interface TargetTrackingPolicy {
  name: string;
  startTime?: string;
  endTime?: string;
  metricType: string;
  metricTarget: number;
  minCapacity: number;
  maxCapacity: number;
}

/** The provisioned instances of one function through one qualifier (an alias or a version). */
export interface ProvisionConfig {
  serviceName: string;
  qualifier: string;
  functionName: string;
  target: number;
  scheduledActions: ScheduledAction[];
  targetTrackingPolicies: TargetTrackingPolicy[];
  alwaysAllocateCPU: boolean;
  lastModifiedTime: string;
}

/** The on-demand instance cap of one function through one qualifier (an alias or LATEST). */
export interface OnDemandConfig {
  serviceName: string;
  qualifier: string;
  functionName: string;
  maximumInstanceCount: number;
  lastModifiedTime: string;
}

/** The only metric Kumo measures for target tracking (FC's name for it). */
export const TRACKED_METRIC = 'ProvisionedConcurrencyUtilization';

export const SCHEDULE_PATTERN = /^(cron\((?<cron>[^)]+)\)|at\((?<at>[^)]+)\))$/;

const time = z
  .string()
  .max(64)
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO-8601 time such as 2026-12-01T10:00:00Z');
const count = z.number().int('must be a whole number').min(0, 'must be 0 or more');
const name = z.string().regex(NAME_PATTERN, `must match ${NAME_PATTERN.source}`);

const scheduledAction = z.object({
  name,
  startTime: time.optional(),
  endTime: time.optional(),
  target: count,
  scheduleExpression: z
    .string()
    .max(LIMITS.cronExpressionMaxLength)
    .regex(SCHEDULE_PATTERN, 'must be cron(<6-field cron expression>) or at(<ISO-8601 time>)'),
});

const targetTrackingPolicy = z
  .object({
    name,
    startTime: time.optional(),
    endTime: time.optional(),
    metricType: z.literal(TRACKED_METRIC, {
      error: `only ${TRACKED_METRIC} is measured by this server`,
    }),
    metricTarget: z.number().gt(0, 'must be above 0').max(1, 'is a ratio, at most 1'),
    minCapacity: count,
    maxCapacity: count,
  })
  .refine((p) => p.minCapacity <= p.maxCapacity, 'minCapacity must not exceed maxCapacity');

/** Names must be unique within a list: FC identifies actions and policies by name. */
const uniqueNames = <T extends { name: string }>(items: T[]) =>
  new Set(items.map((i) => i.name)).size === items.length;

export const provisionConfigBody = z.object({
  target: count,
  scheduledActions: z
    .array(scheduledAction)
    .max(LIMITS.listEntriesMax)
    .refine(uniqueNames, 'names must be unique')
    .optional(),
  targetTrackingPolicies: z
    .array(targetTrackingPolicy)
    .max(LIMITS.listEntriesMax)
    .refine(uniqueNames, 'names must be unique')
    .optional(),
  alwaysAllocateCPU: z.boolean().optional(),
});

export const onDemandConfigBody = z.object({ maximumInstanceCount: count });

/** FC's `resource` of a provision config: `{account}#{service}#{qualifier}#{function}`. */
export function provisionResource(
  accountId: string,
  c: Pick<ProvisionConfig, 'serviceName' | 'qualifier' | 'functionName'>,
): string {
  return `${accountId}#${c.serviceName}#${c.qualifier}#${c.functionName}`;
}

/** FC 2016-08-15's `resource` of an on-demand config. */
export function onDemandResource(
  c: Pick<OnDemandConfig, 'serviceName' | 'qualifier' | 'functionName'>,
): string {
  return `services/${c.serviceName}.${c.qualifier}/functions/${c.functionName}`;
}
