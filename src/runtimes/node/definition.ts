import { FcError, type FunctionRecord } from '../../model/index.js';
import type { SandboxSpec } from '../../sandbox/index.js';
import { AGENT_MOUNTS, AGENTS_MOUNT } from '../builtin.js';
import { nodejsEnv } from '../environment.js';
import type { RuntimeDefinition } from '../registry.js';
import { NodeReleases, type NodeReleasesOptions } from './releases.js';
import { NODE_RUNTIMES } from './versions.js';

/** Where an installed Node.js release is mounted (read-only) inside the sandbox. */
export const NODE_MOUNT = '/opt/kumo/node';

/**
 * `nodejs4.4`, `nodejs6`, `nodejs8` … `nodejs20`: the agent (`runtimes/nodejs/agent.cjs`) run by the Node.js major the name promises
 * (docs/environment.md, "Runtime versions"): the Node.js running Kumo when it is that major, else the release from
 * the shared runtimes cache, mounted read-only at `/opt/kumo/node` and shown at FC's `/usr/local/bin/node`.
 */
export function nodejsRuntime(
  options: NodeReleasesOptions = {},
): RuntimeDefinition & { releases: NodeReleases } {
  const releases = new NodeReleases(options);
  return {
    names: NODE_RUNTIMES,
    releases,
    interpreter: 'Node.js per major',
    interpreterFor: (runtime) => releases.describe(runtime),
    substitution: (runtime) => releases.substitution(runtime),
    unavailableReason: () => undefined,
    mounts: AGENT_MOUNTS,
    env: (fn) => nodejsEnv(fn.runtime),
    command: (fn: FunctionRecord) => [
      process.execPath,
      // As FC does: leave a tenth of the memory to everything that is not the V8 heap.
      `--max-old-space-size=${Math.floor(fn.memorySize * 0.9)}`,
      `${AGENTS_MOUNT}/nodejs/agent.cjs`,
    ],
    async prepare(fn, spec, log): Promise<SandboxSpec> {
      if (!spec.codeDir) throw new FcError('InvalidArgument', `function '${fn.functionName}' has no code`);
      const dir = await releases.forStart(fn.runtime, log);
      if (!dir) return spec;
      const node = `${NODE_MOUNT}/bin/node`;
      return {
        ...spec,
        command: [node, ...spec.command.slice(1)],
        readOnlyMounts: [...(spec.readOnlyMounts ?? []), { hostPath: dir, sandboxPath: NODE_MOUNT }],
        fcPaths: { ...spec.fcPaths, '/usr/local/bin/node': node },
      };
    },
  };
}
