import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';

/**
 * The shared runtimes cache: one folder per installed release (`node-v14.21.3/bin/node`), shared by every Kumo
 * server and CLI of the user (not per data dir). `KUMO_RUNTIMES_DIR`, else `$XDG_CACHE_HOME/kumo/runtimes`, else
 * `~/.cache/kumo/runtimes`.
 */
export function defaultRuntimesDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KUMO_RUNTIMES_DIR) return resolve(env.KUMO_RUNTIMES_DIR);
  const cache = env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), '.cache');
  return join(cache, 'kumo', 'runtimes');
}

/** What an install wrote next to the binary; read back before any use (a record read from disk). */
export const manifestSchema = z.strictObject({
  package: z.string(),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  integrity: z.string(),
  tarball: z.string(),
  binarySha256: z.string().regex(/^[0-9a-f]{64}$/),
  binarySize: z.number().int().positive(),
  installedAt: z.string(),
});
export type NodeManifest = z.infer<typeof manifestSchema>;

export const MANIFEST_FILE = 'kumo-install.json';
export const entryName = (version: string): string => `node-v${version}`;
export const binaryOf = (entryDir: string): string => join(entryDir, 'bin', 'node');

/** sha256 of a file, streamed. */
export function sha256File(file: string): Promise<string> {
  return new Promise((done, fail) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', fail)
      .on('end', () => done(hash.digest('hex')));
  });
}

/** Binaries already hashed by this process, by identity (a change of content changes ctime). */
const verified = new Set<string>();

/**
 * Checks a cache entry before it is executed: its manifest, then the binary's size and sha256 against it (hashed
 * once per process and file identity; a file rewritten since gets a new ctime and is hashed again). Returns the
 * manifest, or the reason the entry is not usable (missing, truncated, corrupted).
 */
export async function verifyEntry(
  entryDir: string,
  version: string,
): Promise<{ manifest: NodeManifest } | { problem: string }> {
  let text: string;
  try {
    text = await readFile(join(entryDir, MANIFEST_FILE), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? 'not installed' : `${MANIFEST_FILE} is unreadable` };
  }
  let manifest: NodeManifest;
  try {
    manifest = manifestSchema.parse(JSON.parse(text));
  } catch {
    return { problem: `${MANIFEST_FILE} is not valid` };
  }
  if (manifest.version !== version) return { problem: `holds ${manifest.version}, not ${version}` };
  const binary = binaryOf(entryDir);
  const info = await stat(binary).catch(() => undefined);
  if (!info?.isFile()) return { problem: 'bin/node is missing' };
  if (info.size !== manifest.binarySize) {
    return { problem: `bin/node has ${info.size} bytes instead of ${manifest.binarySize} (truncated)` };
  }
  const identity = `${binary}:${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
  if (!verified.has(identity)) {
    if ((await sha256File(binary)) !== manifest.binarySha256) {
      return { problem: 'bin/node does not match its recorded sha256 (corrupted)' };
    }
    verified.add(identity);
  }
  return { manifest };
}

/** The releases installed (and intact) in a cache folder, newest first. */
export async function installedReleases(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const versions: string[] = [];
  for (const name of names) {
    const version = /^node-v(\d+\.\d+\.\d+)$/.exec(name)?.[1];
    if (version && 'manifest' in (await verifyEntry(join(dir, name), version))) versions.push(version);
  }
  return versions.sort(compareVersions).reverse();
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
