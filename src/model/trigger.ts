import { z } from 'zod';
import { invalidArgument } from './errors.js';
import { LIMITS, NAME_PATTERN } from './limits.js';
import { isPlainObject } from './normalize.js';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS'] as const;

const httpConfig = z.object({
  authType: z.preprocess(
    (v) => (typeof v === 'string' ? v.toLowerCase() : v),
    z.enum(['anonymous', 'function'], { error: "triggerConfig.authType must be 'anonymous' or 'function'" }),
  ),
  methods: z
    .array(z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(HTTP_METHODS)))
    .min(1, 'triggerConfig.methods must list at least one HTTP method')
    .max(HTTP_METHODS.length * 2, `triggerConfig.methods lists at most ${HTTP_METHODS.length} methods`),
  disableURLInternet: z.boolean().optional(),
});

const timerConfig = z.object({
  cronExpression: z.string().min(1).max(LIMITS.cronExpressionMaxLength),
  payload: z.string().max(LIMITS.jsonStringMaxLength).optional(),
  enable: z.boolean().default(true),
});

export type HttpTriggerConfig = z.infer<typeof httpConfig>;
export type TimerTriggerConfig = z.infer<typeof timerConfig>;

/** Trigger types Kumo can really fire; others are refused rather than silently never firing. */
export const TRIGGER_CONFIGS = { http: httpConfig, timer: timerConfig } as const;
export type TriggerType = keyof typeof TRIGGER_CONFIGS;

const common = {
  // Validated by parseTriggerConfig for the trigger's type (typed schemas: bounded, unknown keys dropped).
  triggerConfig: z.unknown().optional(),
  sourceArn: z.string().max(LIMITS.referenceMaxLength).optional(),
  invocationRole: z.string().max(LIMITS.referenceMaxLength).optional(),
  qualifier: z.string().max(LIMITS.nameMaxLength).optional(),
  description: z.string().max(LIMITS.descriptionMaxLength).optional(),
};

export const createTriggerBody = z.object({
  triggerName: z.string().regex(NAME_PATTERN, `triggerName must match ${NAME_PATTERN.source}`),
  triggerType: z.string().max(LIMITS.nameMaxLength),
  ...common,
});
export const updateTriggerBody = z.object({
  triggerType: z.string().max(LIMITS.nameMaxLength).optional(),
  ...common,
});

export interface Trigger {
  serviceName: string;
  functionName: string;
  triggerName: string;
  triggerType: TriggerType;
  triggerConfig: HttpTriggerConfig | TimerTriggerConfig;
  sourceArn?: string;
  invocationRole?: string;
  qualifier?: string;
  description?: string;
  triggerId: string;
  createdTime: string;
  lastModifiedTime: string;
}

export function checkTriggerType(type: string): TriggerType {
  const lower = type.toLowerCase();
  if (lower in TRIGGER_CONFIGS) return lower as TriggerType;
  throw invalidArgument(
    `triggerType '${type}' is not supported here: Kumo can fire 'http' and 'timer' triggers (an ${type} trigger would never fire)`,
  );
}

/** Validates `triggerConfig`, given as an object or as a JSON string (FC 3.0 style). */
export function parseTriggerConfig(type: TriggerType, raw: unknown): HttpTriggerConfig | TimerTriggerConfig {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw invalidArgument('triggerConfig is a string but not valid JSON');
    }
  }
  if (!isPlainObject(value)) throw invalidArgument('triggerConfig must be an object');
  const lowered = Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), v]),
  );
  const result = TRIGGER_CONFIGS[type].safeParse(lowered);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw invalidArgument(`invalid triggerConfig.${issue?.path.join('.') ?? ''}: ${issue?.message}`);
  }
  return result.data;
}
