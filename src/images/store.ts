import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findBinary, type ImageRuntimeConfig, type SandboxImage, SYSTEM_PATH } from '../sandbox/index.js';
import { ImageError } from './errors.js';
import { readLayoutConfig, readManifest } from './manifest.js';
import { type ImageReference, parseImageReference, pinned } from './reference.js';
import { createMountPoints } from './rootfs.js';
import { type RegistrySettings, Skopeo } from './skopeo.js';
import { runTool } from './tool.js';
import type { ImageLog, ImageStatus, ImageStoreOptions, PreparedImage, ResolvedImage } from './types.js';

interface Mapping {
  name: string;
  digest: string;
  compressedBytes: number;
}

const TAG = 'image';
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const short = (digest: string): string => digest.slice(0, 19);

/**
 * Pulls images with skopeo and unpacks them with umoci into a content-addressed cache of read-only root
 * filesystems (`sha256/<hex>/rootfs`), shared by every function and instance using that digest. One pull per
 * digest at a time; the name → digest mapping is remembered (on disk too), so a cold start with a cached
 * image asks no registry.
 */
export class ImageStore {
  /** Completed pulls since start (tests and metrics). */
  pullCount = 0;
  readonly #skopeo: Skopeo | undefined;
  readonly #umoci: string | undefined;
  readonly #names = new Map<string, Mapping>();
  readonly #ready = new Map<string, SandboxImage>();
  readonly #status = new Map<string, ImageStatus>();
  readonly #pulls = new Map<string, Promise<SandboxImage>>();
  readonly #resolves = new Map<string, Promise<ResolvedImage>>();
  readonly #abort = new AbortController();
  readonly #env: Record<string, string>;

  constructor(readonly options: ImageStoreOptions) {
    const { dir } = options;
    for (const sub of ['sha256', 'refs', 'tmp']) mkdirSync(join(dir, sub), { recursive: true, mode: 0o700 });
    for (const leftover of readdirSync(join(dir, 'tmp'))) {
      rmSync(join(dir, 'tmp', leftover), { recursive: true, force: true });
    }
    const authFile = join(dir, 'auth.json');
    writeFileSync(authFile, authJson(options.registries), { mode: 0o600 });
    this.#env = {
      PATH: SYSTEM_PATH,
      HOME: dir,
      TMPDIR: join(dir, 'tmp'),
      ...proxyEnv(),
    };
    const skopeo = findBinary('skopeo');
    this.#skopeo = skopeo ? new Skopeo(skopeo, options.registries, authFile, this.#env) : undefined;
    this.#umoci = findBinary('umoci');
    this.#loadMappings();
  }

  /** Why images cannot be pulled here, or undefined. */
  unavailableReason(): string | undefined {
    const missing = [this.#skopeo ? '' : 'skopeo', this.#umoci ? '' : 'umoci'].filter(Boolean);
    return missing.length > 0
      ? `${missing.join(' and ')} not installed (apt-get install skopeo umoci)`
      : undefined;
  }

  /** Parses and normalises a reference (throws `ImageError` 'invalid'). */
  parse(ref: string): ImageReference {
    return parseImageReference(ref);
  }

  /** Asks the registry which manifest `ref` names now and how big it is; refuses an image over the limit. */
  resolve(ref: string, timeoutMs = this.options.resolveTimeoutMs): Promise<ResolvedImage> {
    const reference = this.parse(ref);
    let pending = this.#resolves.get(reference.name);
    if (!pending) {
      pending = this.#resolve(reference, timeoutMs)
        .catch((error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          this.#setStatus(reference.name, { status: 'Failed', message });
          throw error;
        })
        .finally(() => this.#resolves.delete(reference.name));
      this.#resolves.set(reference.name, pending);
    }
    return pending;
  }

  async #resolve(reference: ImageReference, timeoutMs: number): Promise<ResolvedImage> {
    const skopeo = this.#tools().skopeo;
    const signal = this.#abort.signal;
    const asked = reference.digest ? pinned(reference, reference.digest) : reference.name;
    let info = readManifest(await skopeo.inspectRaw(asked, reference.registry, timeoutMs, signal), asked);
    if (info.kind === 'index') {
      const platform = pinned(reference, info.platformDigest);
      info = readManifest(await skopeo.inspectRaw(platform, reference.registry, timeoutMs, signal), platform);
      if (info.kind === 'index') throw new ImageError('unsupported', `image ${asked} nests manifest lists`);
    }
    const { digest, compressedBytes } = info;
    if (compressedBytes > this.options.maxCompressedBytes) {
      throw new ImageError(
        'too-large',
        `image ${reference.name} is ${mb(compressedBytes)} compressed, over the limit of ` +
          `${mb(this.options.maxCompressedBytes)} (KUMO_IMAGE_MAX_COMPRESSED_BYTES; FC allows 10 GB uncompressed)`,
      );
    }
    this.#remember({ name: reference.name, digest, compressedBytes });
    return { reference, digest, compressedBytes };
  }

  /**
   * Makes the image's rootfs available: from the cache when its digest is known and unpacked (no registry
   * asked), else resolves and pulls it (joining a pull of the same digest already under way).
   */
  async ensure(ref: string, log: ImageLog = () => {}): Promise<PreparedImage> {
    const reference = this.parse(ref);
    const known = this.#names.get(reference.name);
    const cached = known && this.#ready.get(known.digest);
    if (cached) {
      this.#setStatus(reference.name, { status: 'Ready', digest: cached.digest });
      return { ...cached, pulled: false };
    }
    this.#setStatus(reference.name, { status: 'Preparing' });
    try {
      const mapping = known ?? (await this.resolve(ref));
      const ready = this.#ready.get(mapping.digest);
      const image = ready ?? (await this.#pullOnce(reference, mapping.digest, mapping.compressedBytes, log));
      this.#setStatus(reference.name, { status: 'Ready', digest: image.digest });
      return { ...image, pulled: !ready };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#setStatus(reference.name, { status: 'Failed', message });
      log(`Kumo image ${reference.name}: pull failed: ${message}`);
      throw error;
    }
  }

  /** Starts `ensure` in the background (at function create/update); the outcome shows in `status`. */
  prefetch(ref: string, log?: ImageLog): void {
    this.ensure(ref, log).catch(() => {});
  }

  /** The image's status, or undefined when nothing is known about it yet. */
  status(ref: string): ImageStatus | undefined {
    let name: string;
    try {
      name = this.parse(ref).name;
    } catch (error) {
      return { status: 'Failed', message: (error as Error).message };
    }
    const status = this.#status.get(name);
    if (status) return status;
    const known = this.#names.get(name);
    return known && this.#ready.has(known.digest) ? { status: 'Ready', digest: known.digest } : undefined;
  }

  /** Cancels pulls under way (their callers get an error) and waits until they have cleaned up. */
  async close(): Promise<void> {
    this.#abort.abort();
    await Promise.allSettled([...this.#pulls.values(), ...this.#resolves.values()]);
  }

  #pullOnce(reference: ImageReference, digest: string, bytes: number, log: ImageLog): Promise<SandboxImage> {
    const pending = this.#pulls.get(digest);
    if (pending) {
      log(`Kumo image ${reference.name}: waiting for the pull of ${short(digest)} already under way`);
      return pending;
    }
    const pull = this.#pull(reference, digest, bytes, log).finally(() => this.#pulls.delete(digest));
    this.#pulls.set(digest, pull);
    return pull;
  }

  async #pull(
    reference: ImageReference,
    digest: string,
    bytes: number,
    log: ImageLog,
  ): Promise<SandboxImage> {
    const { skopeo, umoci } = this.#tools();
    const started = Date.now();
    const deadline = started + this.options.pullTimeoutMs;
    const left = () => Math.max(1, deadline - Date.now());
    log(`Kumo image ${reference.name}: pulling ${short(digest)} (${mb(bytes)} compressed)`);
    const work = await mkdtemp(join(this.options.dir, 'tmp', 'pull-'));
    try {
      const layout = join(work, 'layout');
      const signal = this.#abort.signal;
      await skopeo.copy(pinned(reference, digest), reference.registry, layout, TAG, left(), signal);
      const config = await readLayoutConfig(layout, TAG, reference.name);
      const rootfs = join(work, 'rootfs');
      const unpack = await runTool(umoci, ['raw', 'unpack', '--image', `${layout}:${TAG}`, rootfs], {
        timeoutMs: left(),
        signal,
        env: this.#env,
      });
      if (unpack.code !== 0) {
        const why = unpack.timedOut ? 'timed out' : unpack.aborted ? 'cancelled' : unpack.stderr.trim();
        throw new ImageError('failed', `unpacking image ${reference.name} failed: ${why}`);
      }
      await createMountPoints(rootfs);
      await rm(layout, { recursive: true, force: true });
      await writeFile(join(work, 'image.json'), JSON.stringify({ digest, name: reference.name, config }));
      const final = this.#digestDir(digest);
      await rename(work, final).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
        await rm(work, { recursive: true, force: true }); // unpacked by someone else meanwhile
      });
      const image: SandboxImage = { rootfs: join(final, 'rootfs'), config, digest };
      this.#ready.set(digest, image);
      this.pullCount++;
      log(
        `Kumo image ${reference.name}: pulled and unpacked in ${((Date.now() - started) / 1000).toFixed(2)} s`,
      );
      return image;
    } catch (error) {
      await rm(work, { recursive: true, force: true });
      if (error instanceof ImageError) throw error;
      throw new ImageError('failed', `pulling image ${reference.name} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  #tools(): { skopeo: Skopeo; umoci: string } {
    if (!this.#skopeo || !this.#umoci) {
      throw new ImageError('failed', `container images cannot be pulled here: ${this.unavailableReason()}`);
    }
    return { skopeo: this.#skopeo, umoci: this.#umoci };
  }

  #digestDir(digest: string): string {
    return join(this.options.dir, 'sha256', digest.slice('sha256:'.length));
  }

  #setStatus(name: string, status: ImageStatus): void {
    this.#status.set(name, status);
  }

  #remember(mapping: Mapping): void {
    this.#names.set(mapping.name, mapping);
    const file = join(
      this.options.dir,
      'refs',
      `${createHash('sha256').update(mapping.name).digest('hex')}.json`,
    );
    writeFileSync(file, JSON.stringify(mapping));
  }

  /** Loads the remembered names and the unpacked images (a restart keeps its cache). */
  #loadMappings(): void {
    const refs = join(this.options.dir, 'refs');
    for (const file of readdirSync(refs)) {
      try {
        const mapping = JSON.parse(readFileSync(join(refs, file), 'utf8')) as Mapping;
        if (typeof mapping.name === 'string' && typeof mapping.digest === 'string') {
          this.#names.set(mapping.name, mapping);
        }
      } catch {}
    }
    for (const hex of readdirSync(join(this.options.dir, 'sha256'))) {
      const meta = join(this.options.dir, 'sha256', hex, 'image.json');
      if (!existsSync(meta)) continue;
      try {
        const { config } = JSON.parse(readFileSync(meta, 'utf8')) as { config: ImageRuntimeConfig };
        const digest = `sha256:${hex}`;
        this.#ready.set(digest, { rootfs: join(this.#digestDir(digest), 'rootfs'), config, digest });
      } catch {}
    }
  }
}

function authJson(settings: RegistrySettings): string {
  const auths: Record<string, { auth: string }> = {};
  for (const [host, { username, password }] of Object.entries(settings.credentials)) {
    auths[host] = { auth: Buffer.from(`${username}:${password}`).toString('base64') };
  }
  return `${JSON.stringify({ auths })}\n`;
}

function proxyEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy']) {
    const value = process.env[key];
    if (value) out[key] = value;
  }
  return out;
}
