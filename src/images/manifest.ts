import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ImageRuntimeConfig } from '../sandbox/index.js';
import { ImageError } from './errors.js';

/** The platform images must be built for: this host's (FC itself runs linux/amd64 only). */
export const HOST_PLATFORM = {
  os: 'linux',
  architecture: process.arch === 'x64' ? 'amd64' : process.arch,
} as const;

const descriptor = z.object({
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  size: z.number().int().nonnegative().optional(),
  platform: z.object({ os: z.string(), architecture: z.string() }).partial().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const manifestSchema = z.object({
  schemaVersion: z.number().optional(),
  mediaType: z.string().optional(),
  config: descriptor.optional(),
  layers: z.array(descriptor).optional(),
  manifests: z.array(descriptor).optional(),
});

const configSchema = z.object({
  os: z.string().optional(),
  architecture: z.string().optional(),
  config: z
    .object({
      Entrypoint: z.array(z.string()).nullish(),
      Cmd: z.array(z.string()).nullish(),
      Env: z.array(z.string()).nullish(),
      WorkingDir: z.string().nullish(),
      User: z.string().nullish(),
    })
    .nullish(),
});

export type ManifestInfo =
  | { kind: 'index'; digest: string; platformDigest: string }
  | { kind: 'manifest'; digest: string; compressedBytes: number };

export const sha256Digest = (bytes: Buffer): string =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

function parseJson<T>(schema: z.ZodType<T>, bytes: Buffer, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ImageError('unsupported', `${what} is not JSON`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new ImageError(
      'unsupported',
      `${what} has an unexpected shape: ${parsed.error.issues[0]?.message}`,
    );
  }
  return parsed.data;
}

/**
 * Reads a registry manifest: an image manifest (digest + compressed size = config + layers), or an index /
 * manifest list, for which the entry of this host's platform is chosen.
 */
export function readManifest(raw: Buffer, ref: string): ManifestInfo {
  const manifest = parseJson(manifestSchema, raw, `the manifest of ${ref}`);
  const digest = sha256Digest(raw);
  if (manifest.manifests) {
    const entry = manifest.manifests.find(
      (m) => m.platform?.os === HOST_PLATFORM.os && m.platform.architecture === HOST_PLATFORM.architecture,
    );
    if (!entry) {
      const offered = manifest.manifests
        .map((m) => `${m.platform?.os ?? '?'}/${m.platform?.architecture ?? '?'}`)
        .join(', ');
      throw new ImageError(
        'unsupported',
        `image ${ref} has no ${HOST_PLATFORM.os}/${HOST_PLATFORM.architecture} variant (it offers ${offered || 'none'})`,
      );
    }
    return { kind: 'index', digest, platformDigest: entry.digest };
  }
  if (manifest.schemaVersion === 1) {
    throw new ImageError(
      'unsupported',
      `image ${ref} uses the Docker schema 1 manifest format: push it again`,
    );
  }
  const sizes = [manifest.config, ...(manifest.layers ?? [])].map((d) => d?.size ?? 0);
  return { kind: 'manifest', digest, compressedBytes: sizes.reduce((a, b) => a + b, 0) };
}

async function readBlob(layoutDir: string, digest: string): Promise<Buffer> {
  return readFile(join(layoutDir, 'blobs', 'sha256', digest.slice('sha256:'.length)));
}

/** The runtime config (Entrypoint, Cmd, Env, WorkingDir, User) of the image tagged `tag` in an OCI layout. */
export async function readLayoutConfig(
  layoutDir: string,
  tag: string,
  ref: string,
): Promise<ImageRuntimeConfig> {
  const index = parseJson(manifestSchema, await readFile(join(layoutDir, 'index.json')), 'index.json');
  const entry = index.manifests?.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!entry) throw new ImageError('failed', `the pulled layout of ${ref} has no tag ${tag}`);
  const manifest = parseJson(
    manifestSchema,
    await readBlob(layoutDir, entry.digest),
    `the manifest of ${ref}`,
  );
  if (!manifest.config) throw new ImageError('unsupported', `image ${ref} has no config`);
  const config = parseJson(
    configSchema,
    await readBlob(layoutDir, manifest.config.digest),
    `the config of ${ref}`,
  );
  if (
    (config.os && config.os !== HOST_PLATFORM.os) ||
    (config.architecture && config.architecture !== HOST_PLATFORM.architecture)
  ) {
    throw new ImageError(
      'unsupported',
      `image ${ref} is built for ${config.os}/${config.architecture}; this host runs ${HOST_PLATFORM.os}/${HOST_PLATFORM.architecture}`,
    );
  }
  const c = config.config ?? {};
  return {
    entrypoint: c.Entrypoint ?? [],
    cmd: c.Cmd ?? [],
    env: c.Env ?? [],
    workingDir: c.WorkingDir ?? '',
    user: c.User ?? '',
  };
}
