import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FcError } from '../../model/index.js';
import {
  binaryOf,
  defaultRuntimesDir,
  entryName,
  MANIFEST_FILE,
  manifestSchema,
  verifyEntry,
} from './cache.js';
import { installNode } from './install.js';
import { majorOf, releaseOf } from './versions.js';

export interface NodeReleasesOptions {
  /** The shared runtimes cache; default `defaultRuntimesDir()`. */
  dir?: string;
  /** Never download: a missing major runs on the nearest one this machine has, and Kumo says so. */
  offline?: boolean;
  /** Bound of an install on first use. */
  installTimeoutMs?: number;
  registry?: string;
  /** The server's log, for install progress. */
  serverLog?: (line: string) => void;
}

/** What runs a `nodejs<major>` instance. */
export type NodeServing =
  | { kind: 'host'; version: string }
  | { kind: 'cache'; version: string; dir: string }
  | { kind: 'missing'; version: string };

/**
 * Which Node.js release serves each `nodejs<major>` runtime: the Node.js running Kumo when it is that major, else
 * the pinned release from the shared runtimes cache, installed on first use. Offline, a missing major runs on the
 * nearest major this machine has (ties: the newer), and `substitution` says so.
 */
export class NodeReleases {
  readonly dir: string;
  readonly #options: NodeReleasesOptions;

  constructor(options: NodeReleasesOptions = {}) {
    this.#options = options;
    this.dir = options.dir ?? defaultRuntimesDir();
  }

  get offline(): boolean {
    return this.#options.offline === true;
  }

  /** What serves `runtime` now, from a cheap look at the cache (manifest and size; the hash is checked at start). */
  serving(runtime: string): NodeServing {
    const version = releaseOf(runtime) ?? process.versions.node;
    if (majorOf(version) === majorOf()) return { kind: 'host', version: process.versions.node };
    const dir = join(this.dir, entryName(version));
    return looksInstalled(dir, version) ? { kind: 'cache', version, dir } : { kind: 'missing', version };
  }

  /** The nearest installed release to `version`'s major (the host's Node.js counts), ties to the newer. */
  nearest(version: string): { version: string; dir?: string } {
    const wanted = majorOf(version);
    let best: { version: string; dir?: string } = { version: process.versions.node };
    const distance = (v: string) => Math.abs(majorOf(v) - wanted) * 2 - (majorOf(v) > wanted ? 1 : 0);
    for (const name of existsSync(this.dir) ? readdirSync(this.dir) : []) {
      const v = /^node-v(\d+\.\d+\.\d+)$/.exec(name)?.[1];
      if (!v || !looksInstalled(join(this.dir, name), v)) continue;
      if (distance(v) < distance(best.version)) best = { version: v, dir: join(this.dir, name) };
    }
    return best;
  }

  /** The sentence Kumo shows when `runtime` does not run the major its name promises (offline, not installed). */
  substitution(runtime: string): string | undefined {
    const serving = this.serving(runtime);
    if (serving.kind !== 'missing' || !this.offline) return undefined;
    const near = this.nearest(serving.version);
    return (
      `${runtime} runs on Node.js v${near.version}: Node.js ${majorOf(serving.version)} is not in the runtimes cache ` +
      `(${this.dir}) and Kumo runs offline (KUMO_RUNTIMES_OFFLINE); install it with \`kumo runtimes install ${runtime}\``
    );
  }

  /** For `kumo doctor` and `kumo runtimes ls`: what `runtime` runs here. */
  describe(runtime: string): string {
    const serving = this.serving(runtime);
    if (serving.kind === 'host') return `Node.js v${serving.version} (the Node.js running Kumo)`;
    if (serving.kind === 'cache') return `Node.js v${serving.version} (${serving.dir})`;
    if (this.offline)
      return `Node.js v${this.nearest(serving.version).version} instead of v${serving.version}`;
    return `Node.js v${serving.version} (not installed yet: installed on first use)`;
  }

  /**
   * The host folder holding `bin/node` for an instance of `runtime` (undefined: the Node.js running Kumo),
   * installing the release first when it is missing (progress in `log` and the server log). Throws
   * `FunctionNotStarted` when the install fails or times out; nothing half-installed stays behind.
   */
  async forStart(runtime: string, log: (line: string) => void): Promise<string | undefined> {
    const serving = this.serving(runtime);
    if (serving.kind === 'host') return undefined;
    const entry = join(this.dir, entryName(serving.version));
    if (this.offline) {
      if ('manifest' in (await verifyEntry(entry, serving.version))) return entry;
      const near = this.nearest(serving.version);
      const intact = near.dir && 'manifest' in (await verifyEntry(near.dir, near.version));
      return intact ? near.dir : undefined;
    }
    const say = (line: string) => {
      log(`Kumo runtimes: ${line}`);
      this.#options.serverLog?.(`runtimes: ${line}`);
    };
    const timeoutMs = this.#options.installTimeoutMs ?? 300_000;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const installed = await installNode(serving.version, {
        dir: this.dir,
        registry: this.#options.registry,
        log: say,
        signal,
      });
      return installed.dir;
    } catch (error) {
      const reason = signal.aborted ? `not done after ${timeoutMs / 1000} s` : (error as Error).message;
      throw new FcError(
        'FunctionNotStarted',
        `cannot install Node.js v${serving.version} for runtime ${runtime}: ${reason}. ` +
          `Run \`kumo runtimes install ${runtime}\`, or set KUMO_RUNTIMES_OFFLINE=1 to run on the nearest installed Node.js`,
        { cause: error },
      );
    }
  }
}

/** A manifest for `version` and a binary of the recorded size: enough to list it (start verifies the hash). */
function looksInstalled(dir: string, version: string): boolean {
  try {
    const manifest = manifestSchema.parse(JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')));
    return manifest.version === version && statSync(binaryOf(dir)).size === manifest.binarySize;
  } catch {
    return false;
  }
}
