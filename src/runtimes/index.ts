export { type RuntimeDefinition, RuntimeRegistry } from './registry.js';
