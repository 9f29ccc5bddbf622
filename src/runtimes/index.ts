import { GO, PHP, PYTHON, PYTHON2 } from './builtin.js';
import { type ContainerRuntimeOptions, containerRuntime } from './container.js';
import { JAVA } from './java.js';
import { nodejsRuntime } from './node/definition.js';
import type { NodeReleasesOptions } from './node/releases.js';
import { CUSTOM, RuntimeRegistry } from './registry.js';

export { AGENTS_MOUNT } from './builtin.js';
export {
  type ContainerRuntimeOptions,
  checkContainerFunction,
  containerCommand,
  containerImageStatus,
  containerRuntime,
} from './container.js';
export { defaultRuntimesDir, installedReleases } from './node/cache.js';
export { NODE_MOUNT, nodejsRuntime } from './node/definition.js';
export { installNode, RuntimeInstallError, registryUrl } from './node/install.js';
export { NodeReleases, type NodeReleasesOptions } from './node/releases.js';
export { NODE_RELEASES, NODE_RUNTIMES } from './node/versions.js';
export { type RuntimeDefinition, type RuntimeDescription, RuntimeRegistry } from './registry.js';

/**
 * Every runtime this build of Kumo knows how to start. Adding a language = adding its definition here.
 * `container` wires custom-container functions to the server's image store and sandbox; `node` says where the
 * Node.js releases of `nodejs<major>` come from (the shared runtimes cache).
 */
export const createRuntimeRegistry = (
  container: ContainerRuntimeOptions = {},
  node: NodeReleasesOptions = {},
): RuntimeRegistry =>
  new RuntimeRegistry([
    CUSTOM,
    nodejsRuntime(node),
    PYTHON,
    PYTHON2,
    PHP,
    GO,
    JAVA,
    containerRuntime(container),
  ]);
export { genericSpec } from './generic-spec.js';
