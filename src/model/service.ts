import { z } from 'zod';
import { LIMITS, NAME_PATTERN } from './limits.js';

const name = (field: string) =>
  z
    .string()
    .regex(NAME_PATTERN, `${field} must match ${NAME_PATTERN.source} (letters, digits, _ and -, 1-128)`);

const loose = z.record(z.string(), z.unknown());

/** Fields a caller may set on a service (createService / updateService bodies). */
export const serviceFields = z.object({
  description: z.string().max(LIMITS.descriptionMaxLength).optional(),
  role: z.string().optional(),
  internetAccess: z.boolean().optional(),
  logConfig: z
    .object({
      project: z.string().optional(),
      logstore: z.string().optional(),
      enableRequestMetrics: z.boolean().optional(),
      enableInstanceMetrics: z.boolean().optional(),
      logBeginRule: z.string().optional(),
    })
    .optional(),
  vpcConfig: z
    .object({
      vpcId: z.string().optional(),
      vSwitchIds: z.array(z.string()).optional(),
      securityGroupId: z.string().optional(),
    })
    .optional(),
  nasConfig: z
    .object({
      userId: z.number().int().optional(),
      groupId: z.number().int().optional(),
      // Typed (not loose) so Funcraft's `ServerAddr`/`MountDir` come back as FC's `serverAddr`/`mountDir`.
      mountPoints: z
        .array(
          z.object({
            serverAddr: z.string().optional(),
            mountDir: z.string().optional(),
            enableTLS: z.boolean().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  tracingConfig: loose.optional(),
  ossMountConfig: loose.optional(),
});

export const createServiceBody = serviceFields.extend({ serviceName: name('serviceName') });
export const updateServiceBody = serviceFields;

export type ServiceFields = z.infer<typeof serviceFields>;

/** A service as stored and as the API returns it. */
export interface Service extends ServiceFields {
  serviceName: string;
  serviceId: string;
  createdTime: string;
  lastModifiedTime: string;
}
