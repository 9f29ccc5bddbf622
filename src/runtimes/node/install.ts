import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import { binaryOf, entryName, MANIFEST_FILE, type NodeManifest, sha256File, verifyEntry } from './cache.js';
import { nodePackageName } from './versions.js';

export class RuntimeInstallError extends Error {
  override name = 'RuntimeInstallError';
}

export interface InstallOptions {
  /** The runtimes cache folder. */
  dir: string;
  /** npm registry base URL; default `npm_config_registry`, else registry.npmjs.org. */
  registry?: string;
  /** Progress lines (start, done). */
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface InstalledNode {
  version: string;
  /** The cache entry (`…/node-v14.21.3`), holding `bin/node`. */
  dir: string;
  /** True when this call downloaded it, false when it was already there. */
  downloaded: boolean;
}

export const registryUrl = (registry?: string): string =>
  (registry || process.env.npm_config_registry || 'https://registry.npmjs.org/').replace(/\/*$/, '/');

const MB = 1024 * 1024;

/** One install per release at a time in this process; other processes are handled by the atomic rename. */
const pending = new Map<string, Promise<InstalledNode>>();

/**
 * Makes `node-v<version>` present and intact in the cache: reuses a verified entry, else downloads the
 * `node-<platform>-<arch>@<version>` package from the npm registry, checks it against the registry's
 * `dist.integrity` (or `dist.shasum`), unpacks `bin/node` into a temporary folder and renames it into place.
 * A broken entry (truncated, corrupted) is replaced; a failed install leaves nothing behind.
 */
export function installNode(version: string, options: InstallOptions): Promise<InstalledNode> {
  const key = `${options.dir}\0${version}`;
  let promise = pending.get(key);
  if (!promise) {
    promise = ensure(version, options).finally(() => pending.delete(key));
    pending.set(key, promise);
  }
  return promise;
}

async function ensure(version: string, options: InstallOptions): Promise<InstalledNode> {
  const target = join(options.dir, entryName(version));
  const existing = await verifyEntry(target, version);
  if ('manifest' in existing) return { version, dir: target, downloaded: false };
  if (existing.problem !== 'not installed')
    options.log?.(`cache entry ${target} ${existing.problem}: reinstalling`);
  await mkdir(options.dir, { recursive: true, mode: 0o755 });
  const temp = await mkdtemp(join(options.dir, `.tmp-${entryName(version)}-${process.pid}-`));
  try {
    await download(version, temp, options);
    await chmod(temp, 0o755);
    await moveIntoPlace(temp, target, version);
    return { version, dir: target, downloaded: true };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** Renames a complete entry into place; a concurrent installer's intact entry wins, a broken one is swapped out. */
async function moveIntoPlace(temp: string, target: string, version: string): Promise<void> {
  try {
    await rename(temp, target);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
  if ('manifest' in (await verifyEntry(target, version))) return;
  const trash = `${temp}.old`;
  await rename(target, trash).catch(() => undefined);
  await rename(temp, target);
  await rm(trash, { recursive: true, force: true });
}

interface DistInfo {
  tarball: string;
  integrity?: string;
  shasum?: string;
}

async function fetchJson(url: string, signal?: AbortSignal): Promise<unknown> {
  const response = await request(url, { headers: { accept: 'application/json' }, signal });
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new RuntimeInstallError(`${url} answered HTTP ${response.statusCode}`);
  }
  return response.body.json();
}

async function distOf(version: string, registry: string, signal?: AbortSignal): Promise<DistInfo> {
  const name = nodePackageName();
  const doc = (await fetchJson(`${registry}${name}/${version}`, signal)) as { dist?: Partial<DistInfo> };
  const dist = doc?.dist;
  if (typeof dist?.tarball !== 'string' || (!dist.integrity && !dist.shasum)) {
    throw new RuntimeInstallError(`the registry's ${name}@${version} has no tarball or checksum`);
  }
  return { tarball: dist.tarball, integrity: dist.integrity, shasum: dist.shasum };
}

/** The expected digest: the strongest `sha512-…` of `integrity`, else the sha1 `shasum`. */
function expectedDigest(dist: DistInfo): {
  algorithm: 'sha512' | 'sha1';
  value: string;
  encoding: 'base64' | 'hex';
} {
  const sha512 = dist.integrity?.split(/\s+/).find((entry) => entry.startsWith('sha512-'));
  if (sha512) return { algorithm: 'sha512', value: sha512.slice(7), encoding: 'base64' };
  if (dist.shasum) return { algorithm: 'sha1', value: dist.shasum.toLowerCase(), encoding: 'hex' };
  throw new RuntimeInstallError('the registry gives no sha512 integrity and no shasum');
}

async function download(version: string, temp: string, options: InstallOptions): Promise<void> {
  const registry = registryUrl(options.registry);
  const started = Date.now();
  const dist = await distOf(version, registry, options.signal);
  const expected = expectedDigest(dist);
  const archive = join(temp, 'package.tgz');
  const response = await request(dist.tarball, { signal: options.signal });
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new RuntimeInstallError(`${dist.tarball} answered HTTP ${response.statusCode}`);
  }
  const length = Number(response.headers['content-length'] ?? 0);
  options.log?.(
    `downloading Node.js v${version} (${length ? `${(length / MB).toFixed(1)} MB` : 'size unknown'}) from ${dist.tarball}`,
  );
  const hash = createHash(expected.algorithm);
  response.body.on('data', (chunk: Buffer) => hash.update(chunk));
  await pipeline(response.body, createWriteStream(archive, { mode: 0o600 }));
  if (hash.digest(expected.encoding) !== expected.value) {
    throw new RuntimeInstallError(
      `${dist.tarball} does not match the registry's ${expected.algorithm} checksum`,
    );
  }
  await untar(archive, temp, options.signal);
  await rm(archive, { force: true });
  const binary = binaryOf(temp);
  const info = await stat(binary).catch(() => undefined);
  if (!info?.isFile()) throw new RuntimeInstallError(`${dist.tarball} holds no package/bin/node`);
  await chmod(binary, 0o755);
  await chmod(join(temp, 'bin'), 0o755);
  const manifest: NodeManifest = {
    package: `${nodePackageName()}@${version}`,
    version,
    integrity: dist.integrity ?? `sha1:${dist.shasum}`,
    tarball: dist.tarball,
    binarySha256: await sha256File(binary),
    binarySize: info.size,
    installedAt: new Date().toISOString(),
  };
  await writeFile(join(temp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o644 });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  options.log?.(`installed Node.js v${version} (${(info.size / MB).toFixed(1)} MB unpacked) in ${seconds} s`);
}

/** Unpacks only `bin/node` and `LICENSE` of the package (GNU tar, run without a shell). */
function untar(archive: string, into: string, signal?: AbortSignal): Promise<void> {
  return new Promise((done, fail) => {
    const args = [
      '-xzf',
      archive,
      '-C',
      into,
      '--strip-components=1',
      '--no-same-owner',
      '--no-same-permissions',
    ];
    const child = spawn('tar', [...args, 'package/bin/node', 'package/LICENSE'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      signal,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', (error) => fail(new RuntimeInstallError(`cannot run tar: ${error.message}`)));
    child.on('close', (code) =>
      code === 0
        ? done()
        : fail(new RuntimeInstallError(`tar could not unpack the package: ${stderr.trim()}`)),
    );
  });
}
