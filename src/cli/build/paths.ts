import { dirname, join } from 'node:path';
import { SYSTEM_PATH } from '../../sandbox/index.js';
import type { Project } from '../template/index.js';

/** How a build runs; shared by `kumo build`, `kumo deploy --build` and the s.yaml actions. */
export interface BuildSettings {
  /** Each command is stopped after this long. */
  timeoutMs: number;
  /** `KUMO_SANDBOX`: `process` runs builds without bwrap. */
  mode?: string;
  /** Host folder kept between builds (npm, pip, Maven, Go caches); the build sees it as its HOME. */
  cacheDir: string;
  say: (line: string) => void;
}

/** A build or action that failed: the message names the function and the step. */
export class BuildError extends Error {
  override name = 'BuildError';
}

/** What `.kumo/build/<service>/<function>.json` records about the last successful build. */
export interface Stamp {
  /** When the build started (ms): a source file changed after it makes the build stale. */
  startedAt: number;
  runtime: string;
  steps: string[];
  /** A file to deploy as the code package instead of the folder (a Java runtime's jar), relative to it. */
  artifact?: string;
}

/** Where the build sees its cache folder; also its HOME, so ~/.m2, ~/.npm, ~/.cache/pip and ~/go land there. */
export const CACHE_MOUNT = '/kumo-cache';

/** `.kumo/build` beside the template (like Funcraft's `.fun/build` and Serverless Devs' `.s/build`). */
export function buildPaths(project: Project, serviceName: string, functionName: string) {
  const root = join(dirname(project.file), '.kumo', 'build');
  const dir = join(root, serviceName, functionName);
  return {
    root,
    dir,
    stamp: `${dir}.json`,
    log: `${dir}.log`,
  };
}

/** Variables a build may take from the user's environment (proxies and registry mirrors). */
const PASSED =
  /^(https?_proxy|no_proxy|all_proxy|npm_config_.+|pip_.+|goproxy|gonosumdb|goprivate|goflags|maven_opts)$/i;

/** The build's environment: the runtime's interpreter first on PATH, HOME on the cache. */
export function buildEnv(interpreterDir?: string): Record<string, string> {
  const env: Record<string, string> = {
    PATH:
      interpreterDir && !SYSTEM_PATH.split(':').includes(interpreterDir)
        ? `${interpreterDir}:${SYSTEM_PATH}`
        : SYSTEM_PATH,
    HOME: CACHE_MOUNT,
    LANG: 'C.UTF-8',
    CI: '1',
  };
  for (const [key, value] of Object.entries(process.env)) if (PASSED.test(key) && value) env[key] = value;
  return env;
}

/** Seconds since `started`, to a tenth. */
export const seconds = (started: number): number => Math.round((Date.now() - started) / 100) / 10;
