import type { FcClient } from '../client.js';
import type { Project } from '../template/index.js';
import { applyPlan, type DeployResult } from './apply.js';
import { type CodePackager, planDeploy } from './plan.js';

export { type Applied, applyPlan, type DeployResult } from './apply.js';
export { followImagePulls } from './image-progress.js';
export {
  type ApplyState,
  type Change,
  type CodePackager,
  type DeployPlan,
  type PlannedResource,
  type PlanOptions,
  type PlanStep,
  planDeploy,
  planView,
} from './plan.js';
export { type Normalized, validateProject } from './validate.js';

/** Validates, plans and applies a project in one call (what `kumo deploy` does after its build steps). */
export async function deploy(
  client: FcClient,
  project: Project,
  say: (line: string) => void,
  code: CodePackager,
  progress?: (line: string) => void,
): Promise<DeployResult> {
  return applyPlan(client, await planDeploy(client, project, { code, progress }), say);
}
