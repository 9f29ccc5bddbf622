import { ImageError } from './errors.js';
import { isLoopbackRegistry } from './settings.js';
import { runTool, type ToolResult } from './tool.js';

export interface RegistryCredentials {
  username: string;
  password: string;
}

/** How Kumo talks to registries (from `KUMO_REGISTRY_INSECURE` and `KUMO_REGISTRY_AUTH`). */
export interface RegistrySettings {
  /**
   * `host[:port]` entries reached without TLS verification (plain HTTP is then allowed too); loopback
   * registries always are (`isLoopbackRegistry`).
   */
  insecure: readonly string[];
  /** Credentials per `host[:port]`. */
  credentials: Readonly<Record<string, RegistryCredentials>>;
}

/** The one place that runs skopeo: each call bounded by a timeout, failures turned into `ImageError`s. */
export class Skopeo {
  readonly #binary: string;
  readonly #settings: RegistrySettings;
  /** A containers-auth.json holding exactly the configured credentials (so no ambient login is used). */
  readonly #authFile: string;
  readonly #env: Record<string, string>;

  constructor(binary: string, settings: RegistrySettings, authFile: string, env: Record<string, string>) {
    this.#binary = binary;
    this.#settings = settings;
    this.#authFile = authFile;
    this.#env = env;
  }

  /** The raw manifest (or index) bytes of `ref` (`host/repo:tag` or `host/repo@digest`). */
  async inspectRaw(ref: string, registry: string, timeoutMs: number, signal?: AbortSignal): Promise<Buffer> {
    const tls = `--tls-verify=${!this.#isInsecure(registry)}`;
    const args = [
      'inspect',
      '--raw',
      '--retry-times',
      '0',
      tls,
      '--authfile',
      this.#authFile,
      `docker://${ref}`,
    ];
    const result = await this.#run(args, timeoutMs, signal);
    if (result.code !== 0) throw skopeoError(result, ref, registry, timeoutMs);
    return result.stdout;
  }

  /** Copies `ref` (pinned by digest) into the OCI layout `layoutDir` under `tag`. */
  async copy(
    ref: string,
    registry: string,
    layoutDir: string,
    tag: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<void> {
    // No signature policy: Kumo pulls by digest from the registries it is configured for.
    const args = ['--insecure-policy', 'copy', '--quiet', '--retry-times', '1'];
    args.push(`--src-tls-verify=${!this.#isInsecure(registry)}`, '--src-authfile', this.#authFile);
    args.push(`docker://${ref}`, `oci:${layoutDir}:${tag}`);
    const result = await this.#run(args, timeoutMs, signal);
    if (result.code !== 0) throw skopeoError(result, ref, registry, timeoutMs);
  }

  #isInsecure(registry: string): boolean {
    return this.#settings.insecure.includes(registry) || isLoopbackRegistry(registry);
  }

  async #run(args: string[], timeoutMs: number, signal?: AbortSignal): Promise<ToolResult> {
    try {
      return await runTool(this.#binary, args, { timeoutMs, signal, env: this.#env });
    } catch (error) {
      throw new ImageError('failed', `cannot run skopeo: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** The message inside skopeo's `level=fatal msg="…"` line, without the repeated "Error parsing image name" part. */
export function skopeoMessage(stderr: string): string {
  const lines = stderr.trim().split('\n');
  const fatal = lines.reverse().find((line) => line.includes('msg="')) ?? lines[0] ?? '';
  const quoted = /msg="((?:[^"\\]|\\.)*)"/.exec(fatal)?.[1];
  const text = quoted ? quoted.replace(/\\(.)/g, '$1') : fatal;
  return text
    .replace(/^Error parsing image name "[^"]*": /, '')
    .replace(/^initializing source docker:\/\/[^:]*:[^:]*: /, '')
    .trim();
}

function skopeoError(result: ToolResult, ref: string, registry: string, timeoutMs: number): ImageError {
  if (result.aborted) return new ImageError('failed', `pulling ${ref} was cancelled (Kumo is shutting down)`);
  if (result.timedOut) {
    return new ImageError(
      'unreachable',
      `registry ${registry} gave no complete answer for ${ref} within ${Math.round(timeoutMs / 1000)} s`,
    );
  }
  const detail = skopeoMessage(result.stderr) || `skopeo exited with code ${result.code}`;
  const lower = detail.toLowerCase();
  if (lower.includes('manifest unknown')) {
    return new ImageError(
      'not-found',
      `image ${ref} does not exist: the tag or digest is unknown (${detail})`,
    );
  }
  if (lower.includes('name unknown') || lower.includes('repository name not known')) {
    return new ImageError('not-found', `image ${ref} does not exist: no such repository (${detail})`);
  }
  if (/unauthorized|authentication required|denied|forbidden/.test(lower)) {
    return new ImageError(
      'unauthorized',
      `registry ${registry} refused access to ${ref}: set its credentials in KUMO_REGISTRY_AUTH (${detail})`,
    );
  }
  if (lower.includes('http response to https client')) {
    return new ImageError(
      'unreachable',
      `registry ${registry} speaks plain HTTP: add it to KUMO_REGISTRY_INSECURE to use it (${detail})`,
    );
  }
  if (
    /connection refused|no such host|i\/o timeout|network is unreachable|tls|x509|pinging|dial tcp|eof/.test(
      lower,
    )
  ) {
    return new ImageError('unreachable', `registry ${registry} is unreachable for ${ref}: ${detail}`);
  }
  return new ImageError('failed', `skopeo failed for ${ref}: ${detail}`);
}
