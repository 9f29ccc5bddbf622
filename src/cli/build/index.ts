export { runActions } from './actions.js';
export { buildProject, type FunctionBuild } from './builder.js';
export {
  type CodeSource,
  codePackager,
  codeSource,
  missingDependencies,
} from './freshness.js';
export { BuildError, type BuildSettings } from './paths.js';
export { planBuild } from './plan.js';
