import { z } from 'zod';
import { FcError, invalidArgument } from './errors.js';

/** FC's layer rules: name, how many a function may use, how long a description may be. */
export const LAYER_LIMITS = {
  /** A function lists at most five layers (FC's limit, custom and public layers together). */
  perFunctionMax: 5,
  nameMaxLength: 64,
  descriptionMaxLength: 256,
  compatibleRuntimesMax: 20,
} as const;

/** A layer name: a letter or `_` first, then letters, digits, `_` and `-`, at most 64 characters. */
export const LAYER_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_-]{0,63}$/;

/** One published, immutable version of a layer as stored. */
export interface LayerVersion {
  layerName: string;
  version: number;
  description: string;
  compatibleRuntime: string[];
  /** The content-addressed zip (the code store's address), its size and CRC-64 as FC reports them. */
  sha256: string;
  codeSize: number;
  codeChecksum: string;
  createTime: string;
  /** 0 private, 1 public: a layer-wide setting (putLayerACL), copied into each answer. */
  acl: number;
}

export const publishLayerBody = z.object({
  code: z.object({
    zipFile: z.string().optional(),
    ossBucketName: z.string().optional(),
    ossObjectName: z.string().optional(),
  }),
  description: z
    .string()
    .max(
      LAYER_LIMITS.descriptionMaxLength,
      `description must be at most ${LAYER_LIMITS.descriptionMaxLength} characters`,
    )
    .optional(),
  compatibleRuntime: z
    .array(z.string().regex(/^[a-z0-9.-]{1,32}$/, 'compatibleRuntime entries are runtime names'))
    .max(LAYER_LIMITS.compatibleRuntimesMax)
    .optional(),
});

export function checkLayerName(name: string): void {
  if (!LAYER_NAME_PATTERN.test(name)) {
    throw invalidArgument(
      `layer name '${name}' is invalid: start with a letter or '_', then use letters, digits, '_' and '-', at most ${LAYER_LIMITS.nameMaxLength} characters`,
    );
  }
}

/** A layer version number as a path or an ARN gives it. */
export function parseLayerVersion(text: string): number {
  if (!/^[1-9]\d{0,9}$/.test(text)) throw invalidArgument(`'${text}' is not a layer version number`);
  return Number(text);
}

export interface LayerArn {
  region: string;
  accountId: string;
  layerName: string;
  version: number;
}

const ARN = /^acs:fc:([a-z0-9-]+):(\d+):layers\/([^/]+)\/versions\/([^/]+)$/;

/** Reads `acs:fc:{region}:{accountId}:layers/{name}/versions/{n}`; anything else (path tricks too) is refused. */
export function parseLayerArn(arn: string): LayerArn {
  const match = ARN.exec(arn);
  if (!match) {
    throw invalidArgument(
      `'${arn}' is not a layer ARN: use acs:fc:{region}:{accountId}:layers/{layerName}/versions/{version}`,
    );
  }
  const [, region = '', accountId = '', layerName = '', version = ''] = match;
  checkLayerName(layerName);
  return { region, accountId, layerName, version: parseLayerVersion(version) };
}

export function layerArn(region: string, accountId: string, layerName: string, version: number): string {
  return `acs:fc:${region}:${accountId}:layers/${layerName}/versions/${version}`;
}

/** A function's `layers`: ARNs, at most five, no repeats (order matters: the first listed wins in /opt). */
export const functionLayers = z
  .array(z.string().max(512))
  .max(LAYER_LIMITS.perFunctionMax, `a function may use at most ${LAYER_LIMITS.perFunctionMax} layers`)
  .superRefine((arns, ctx) => {
    for (const arn of arns) {
      try {
        parseLayerArn(arn);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
        return;
      }
    }
    if (new Set(arns).size !== arns.length)
      ctx.addIssue({ code: 'custom', message: 'layers lists a layer twice' });
  });

export function layerNotFound(arnOrName: string): FcError {
  return new FcError('LayerNotFound', `layer ${arnOrName} does not exist`);
}

/** FC's answer for a layer version (the fields of FC's `Layer` structure). */
export function toLayerResponse(
  layer: LayerVersion,
  where: { region: string; accountId: string; location: string },
): Record<string, unknown> {
  const arnV2 = layerArn(where.region, where.accountId, layer.layerName, layer.version);
  return {
    layerName: layer.layerName,
    version: layer.version,
    description: layer.description,
    code: { repositoryType: 'Direct', location: where.location },
    codeSize: layer.codeSize,
    codeChecksum: layer.codeChecksum,
    createTime: layer.createTime,
    acl: layer.acl,
    compatibleRuntime: layer.compatibleRuntime,
    // FC's old-style `arn` (`<hash>#<name>#<version>`), kept for old clients; arnV2 is the real ARN.
    arn: `${where.accountId}#${layer.layerName}#${layer.version}`,
    arnV2,
    layerVersionArn: arnV2,
  };
}
