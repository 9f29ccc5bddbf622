export * from './errors.js';
export * from './function.js';
export * from './limits.js';
export * from './normalize.js';
export * from './parse.js';
export * from './runtimes.js';
export * from './service.js';
export * from './trigger.js';
