import { z } from 'zod';
import { invalidArgument } from './errors.js';
import type { FunctionRecord } from './function.js';
import { LIMITS, NAME_PATTERN } from './limits.js';
import type { Service } from './service.js';

/**
 * A published version of a service: the service's configuration and every function's configuration, code and
 * initializer as they were at publish time. Immutable once stored.
 */
export interface Version {
  serviceName: string;
  versionId: string;
  description: string;
  createdTime: string;
  lastModifiedTime: string;
  service: Service;
  functions: FunctionRecord[];
}

/** A named pointer to a version, optionally sending a share of calls to one other version. */
export interface Alias {
  serviceName: string;
  aliasName: string;
  versionId: string;
  description: string;
  /** `{"2": 0.1}`: that share of calls goes to version 2, the rest to `versionId`. */
  additionalVersionWeight: Record<string, number>;
  createdTime: string;
  lastModifiedTime: string;
}

/** FC lets an alias split traffic between its version and one other. */
export const ALIAS_EXTRA_VERSIONS_MAX = 1;

/** Alias names FC accepts: a name that is not a version id and not LATEST. */
export function checkAliasName(name: string): void {
  if (!NAME_PATTERN.test(name)) throw invalidArgument(`aliasName must match ${NAME_PATTERN.source}`);
  if (name === 'LATEST') throw invalidArgument("aliasName 'LATEST' is reserved for the unpublished function");
}

const versionIdField = z.preprocess(
  (v) => (typeof v === 'number' ? String(v) : v),
  z.string().regex(/^[1-9]\d{0,9}$/, 'versionId must be a published version number such as "1"'),
);

const weights = z
  .record(
    z.string().regex(/^[1-9]\d{0,9}$/, 'additionalVersionWeight keys must be version numbers'),
    z.number().min(0, 'weights are between 0 and 1').max(1, 'weights are between 0 and 1'),
  )
  .refine((w) => Object.keys(w).length <= ALIAS_EXTRA_VERSIONS_MAX, {
    message: `an alias sends traffic to at most ${ALIAS_EXTRA_VERSIONS_MAX} additional version`,
  });

const description = z.string().max(LIMITS.descriptionMaxLength);

export const publishVersionBody = z.object({ description: description.optional() });

export const createAliasBody = z.object({
  aliasName: z.string().max(LIMITS.nameMaxLength),
  versionId: versionIdField,
  description: description.optional(),
  additionalVersionWeight: weights.optional(),
  resolvePolicy: z.string().max(LIMITS.nameMaxLength).optional(),
  routePolicy: z.unknown().optional(),
});

export const updateAliasBody = z.object({
  versionId: versionIdField.optional(),
  description: description.optional(),
  additionalVersionWeight: weights.optional(),
  resolvePolicy: z.string().max(LIMITS.nameMaxLength).optional(),
  routePolicy: z.unknown().optional(),
});

/** The API's view of a version: its identity, not its snapshot. */
export function toVersionResponse(version: Version): Record<string, unknown> {
  const { versionId, description, createdTime, lastModifiedTime } = version;
  return { versionId, description, createdTime, lastModifiedTime };
}

export function toAliasResponse(alias: Alias): Record<string, unknown> {
  const { serviceName: _service, ...rest } = alias;
  return rest;
}

/**
 * Which version a weighted alias sends this call to. `random` is in [0, 1): a call goes to the additional
 * version when it falls below that version's weight, so weight 0 never and weight 1 always routes there.
 */
export function chooseAliasVersion(alias: Alias, random: () => number): string {
  let draw = random();
  for (const [versionId, weight] of Object.entries(alias.additionalVersionWeight)) {
    if (draw < weight) return versionId;
    draw -= weight;
  }
  return alias.versionId;
}
