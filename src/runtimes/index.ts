import { NODEJS, PYTHON, PYTHON2 } from './builtin.js';
import { CUSTOM, RuntimeRegistry } from './registry.js';

export { AGENTS_MOUNT } from './builtin.js';
export { type RuntimeDefinition, RuntimeRegistry } from './registry.js';

/** Every runtime this build of Kumo knows how to start. Adding a language = adding its definition here. */
export const createRuntimeRegistry = (): RuntimeRegistry =>
  new RuntimeRegistry([CUSTOM, NODEJS, PYTHON, PYTHON2]);
