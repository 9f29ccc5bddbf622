import { spawnSync } from 'node:child_process';
import { ImageError, type ImageStatus, type ImageStore } from '../images/index.js';
import { FcError, type FunctionRecord, invalidArgument } from '../model/index.js';
import {
  findBinary,
  type ImageRuntimeConfig,
  runcUnavailableReason,
  type SandboxSpec,
} from '../sandbox/index.js';
import type { RuntimeDefinition } from './registry.js';

export interface ContainerRuntimeOptions {
  /** Pulls and caches images; without it (e.g. `kumo doctor`) the runtime only reports its availability. */
  images?: ImageStore;
  /** Why this server's sandbox cannot start containers, or undefined (defaults to runc's cheap checks). */
  sandboxReason?: () => string | undefined;
}

/** A JSON array given as a string (as the SDK sends `command`/`args`); undefined when unset or empty text. */
function jsonArray(text: string | undefined): string[] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? parsed.map(String) : undefined;
}

/**
 * FC's override rule (as Kubernetes' command/args): `command` replaces the image's ENTRYPOINT and drops its
 * CMD, `args` replaces CMD; with neither, ENTRYPOINT + CMD of the image.
 */
export function containerCommand(fn: FunctionRecord, image: ImageRuntimeConfig): string[] {
  const command = jsonArray(fn.customContainerConfig?.command);
  const args = jsonArray(fn.customContainerConfig?.args);
  if (command?.length) return [...command, ...(args ?? [])];
  return [...image.entrypoint, ...(args ?? image.cmd)];
}

/** The image error as the caller sees it: the function's configuration (400) or a failed start (502). */
function toFcError(error: unknown, ref: string): unknown {
  if (!(error instanceof ImageError)) return error;
  if (error.kind === 'unreachable' || error.kind === 'failed') {
    return new FcError('FunctionNotStarted', `cannot pull image ${ref}: ${error.message}`, { cause: error });
  }
  return new FcError('InvalidArgument', error.message, { cause: error });
}

function toolVersion(file: string | undefined, args: string[]): string | undefined {
  if (!file) return undefined;
  const result = spawnSync(file, args, { encoding: 'utf8', timeout: 5000 });
  return result.status === 0 ? result.stdout.split('\n')[0]?.trim() : undefined;
}

/** Custom-container versions of `/code`-based defaults that must not shadow the image's own variables. */
const CODE_ENV = ['PYTHONPATH', 'LD_LIBRARY_PATH'];

export function containerRuntime(options: ContainerRuntimeOptions = {}): RuntimeDefinition {
  const { images } = options;
  const unavailableReason = (): string | undefined => {
    const sandbox = options.sandboxReason ? options.sandboxReason() : runcUnavailableReason();
    if (sandbox) return sandbox;
    if (images) return images.unavailableReason();
    const missing = ['skopeo', 'umoci'].filter((tool) => !findBinary(tool));
    return missing.length > 0
      ? `${missing.join(' and ')} not installed (apt-get install skopeo umoci)`
      : undefined;
  };
  let interpreter: string | undefined;
  return {
    names: ['custom-container'],
    get interpreter() {
      const version = (tool: string) =>
        toolVersion(findBinary(tool), ['--version'])?.replace(/^.*version /i, `${tool} `) ??
        `${tool} missing`;
      interpreter ??= `runs images with ${version('runc')} (not Docker); pulls with ${version('skopeo')}, unpacks with ${version('umoci')}`;
      return interpreter;
    },
    unavailableReason,
    // The final argv needs the image's ENTRYPOINT/CMD: `prepare` computes it.
    command: (fn) => jsonArray(fn.customContainerConfig?.command) ?? [],
    async prepare(fn, spec, log): Promise<SandboxSpec> {
      const ref = fn.customContainerConfig?.image;
      if (!ref) throw invalidArgument('customContainerConfig.image is required for runtime custom-container');
      const reason = unavailableReason();
      if (reason)
        throw new FcError('FunctionNotStarted', `custom-container functions cannot run here: ${reason}`);
      if (!images) throw new FcError('InternalServerError', 'no image store is wired into this server');
      let image: Awaited<ReturnType<ImageStore['ensure']>>;
      try {
        image = await images.ensure(ref, log);
      } catch (error) {
        throw toFcError(error, ref);
      }
      if (!image.pulled) log(`Kumo image ${ref}: using the cached rootfs of ${image.digest.slice(0, 19)}`);
      const command = containerCommand(fn, image.config);
      if (command.length === 0) {
        throw invalidArgument(
          `image ${ref} has neither ENTRYPOINT nor CMD: set customContainerConfig.command (e.g. '["node","server.js"]')`,
        );
      }
      const env = { ...spec.env };
      for (const key of CODE_ENV) if (!(key in fn.environmentVariables)) delete env[key];
      const { rootfs, config, digest } = image;
      return { ...spec, command, env, image: { rootfs, config, digest } };
    },
  };
}

/**
 * Create/update-time check of a custom-container function: a valid reference, an image the registry knows and
 * within the size limit (400 otherwise), then a background pull. An unreachable registry does not block the
 * change: the first cold start retries and says why it fails.
 */
export async function checkContainerFunction(
  images: ImageStore,
  fn: FunctionRecord,
  log: (message: string) => void,
): Promise<void> {
  if (fn.runtime !== 'custom-container') return;
  if (fn.customContainerConfig?.webServerMode === false) {
    throw invalidArgument(
      'customContainerConfig.webServerMode=false (run-to-completion containers) is not supported by Kumo: ' +
        'serve HTTP on caPort',
    );
  }
  const ref = fn.customContainerConfig?.image ?? '';
  try {
    images.parse(ref);
    await images.resolve(ref);
  } catch (error) {
    if (error instanceof ImageError && (error.isUnreachable || error.kind === 'failed')) {
      log(`Kumo image ${ref}: not checked at ${fn.lastModifiedTime}: ${error.message}`);
      return;
    }
    if (error instanceof ImageError) throw invalidArgument(error.message);
    throw error;
  }
  images.prefetch(ref, log);
}

/** FC's `customContainerConfig.accelerationInfo` for a custom-container function, else undefined. */
export function containerImageStatus(images: ImageStore, fn: FunctionRecord): ImageStatus | undefined {
  if (fn.runtime !== 'custom-container' || !fn.customContainerConfig?.image) return undefined;
  return images.status(fn.customContainerConfig.image) ?? { status: 'Preparing' };
}
