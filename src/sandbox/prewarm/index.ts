export { type PrewarmOptions, PrewarmSandbox, type PrewarmStats, type PrewarmTarget } from './sandbox.js';
export { type GenericSpec, poolCommand } from './shape.js';
export { PREWARM_RUNTIME, parsePrewarm, SERVE_PREWARM_DEFAULT } from './targets.js';
