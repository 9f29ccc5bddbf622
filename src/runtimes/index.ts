import { NODEJS, PYTHON, PYTHON2 } from './builtin.js';
import { type ContainerRuntimeOptions, containerRuntime } from './container.js';
import { JAVA } from './java.js';
import { CUSTOM, RuntimeRegistry } from './registry.js';

export { AGENTS_MOUNT } from './builtin.js';
export {
  type ContainerRuntimeOptions,
  checkContainerFunction,
  containerCommand,
  containerImageStatus,
  containerRuntime,
} from './container.js';
export { type RuntimeDefinition, RuntimeRegistry } from './registry.js';

/**
 * Every runtime this build of Kumo knows how to start. Adding a language = adding its definition here.
 * `container` wires custom-container functions to the server's image store and sandbox.
 */
export const createRuntimeRegistry = (container: ContainerRuntimeOptions = {}): RuntimeRegistry =>
  new RuntimeRegistry([CUSTOM, NODEJS, PYTHON, PYTHON2, JAVA, containerRuntime(container)]);
