import { z } from 'zod';
import type { FcVersion } from './fc3.js';
import { LIMITS, NAME_PATTERN } from './limits.js';

const name = (field: string) =>
  z
    .string()
    .regex(NAME_PATTERN, `${field} must match ${NAME_PATTERN.source} (letters, digits, _ and -, 1-128)`);

// Every string and list is bounded as FC bounds it (or, where FC does not say, generously): a caller cannot
// make Kumo store megabytes. Unknown keys are dropped by zod, at every level.
const id = z.string().max(LIMITS.identifierMaxLength);
const ref = z.string().max(LIMITS.referenceMaxLength);

/** Fields a caller may set on a service (createService / updateService bodies). */
export const serviceFields = z.object({
  description: z.string().max(LIMITS.descriptionMaxLength).optional(),
  role: ref.optional(),
  internetAccess: z.boolean().optional(),
  logConfig: z
    .object({
      project: id.optional(),
      logstore: id.optional(),
      enableRequestMetrics: z.boolean().optional(),
      enableInstanceMetrics: z.boolean().optional(),
      logBeginRule: id.optional(),
    })
    .optional(),
  vpcConfig: z
    .object({
      vpcId: id.optional(),
      vSwitchIds: z.array(id).max(LIMITS.vSwitchIdsMax).optional(),
      securityGroupId: id.optional(),
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
            serverAddr: ref.optional(),
            mountDir: ref.optional(),
            enableTLS: z.boolean().optional(),
          }),
        )
        .max(LIMITS.nasMountPointsMax)
        .optional(),
    })
    .optional(),
  tracingConfig: z
    .object({
      // FC traces to Tracing Analysis through Jaeger only; `{}` turns tracing off.
      type: z
        .literal('Jaeger', { error: "tracingConfig.type must be 'Jaeger' (the only type FC supports)" })
        .optional(),
      params: z
        .record(id, ref)
        .refine((p) => Object.keys(p).length <= LIMITS.tracingParamsMax, {
          message: `at most ${LIMITS.tracingParamsMax} entries`,
        })
        .optional(),
    })
    .optional(),
  ossMountConfig: z
    .object({
      mountPoints: z
        .array(
          z.object({
            bucketName: id.optional(),
            bucketPath: ref.optional(),
            endpoint: ref.optional(),
            mountDir: ref.optional(),
            readOnly: z.boolean().optional(),
          }),
        )
        .max(LIMITS.ossMountPointsMax)
        .optional(),
    })
    .optional(),
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
  /** Set only on the service that carries an FC 3.0 function (see fc3.ts); never settable through FC 2.0. */
  fcVersion?: FcVersion;
}
