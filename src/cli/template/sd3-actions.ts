import { resolve } from 'node:path';
import { z } from 'zod';
import type { ProjectAction } from './project.js';
import { ExpressionError, keyMatchesMethod } from './sd3-expressions.js';
import type { YamlFile } from './yaml-doc.js';

/** Serverless Devs 3.x hook prefixes and the deploy hook Kumo runs each as. */
const HOOKS: Record<string, ProjectAction['hook']> = {
  pre: 'pre-deploy',
  success: 'post-deploy',
  // 2.x's name for it, still read by 3.x.
  post: 'post-deploy',
};
const runStep = z.strictObject({ run: z.string().min(1), path: z.string().optional() });

/**
 * Reads a 3.x resource's `actions`: keys are `<hook>-<method>` where the method may be `${regex('deploy|local')}`;
 * only the entries whose method matches `method` are kept (the others belong to other commands). Steps are `run:`
 * commands with an optional `path:` relative to the s.yaml; component and plugin steps need Serverless Devs.
 */
export function readActions3(
  yaml: YamlFile,
  root: string,
  value: unknown,
  path: (string | number)[],
  method: string,
): ProjectAction[] {
  if (value === undefined) return [];
  const hooks = yaml.parse(z.record(z.string(), z.array(z.unknown())), value, path);
  const actions: ProjectAction[] = [];
  for (const [key, list] of Object.entries(hooks)) {
    const at = [...path, key];
    const dash = key.indexOf('-');
    const prefix = key.slice(0, dash);
    if (dash < 0 || !['pre', 'post', 'success', 'fail', 'complete'].includes(prefix)) {
      throw yaml.error(at, `'${key}' is not an action key: use pre-, success- or post- followed by a method`);
    }
    let matches: boolean;
    try {
      matches = keyMatchesMethod(method, key.slice(dash + 1));
    } catch (error) {
      if (error instanceof ExpressionError) throw yaml.error(at, error.message);
      throw error;
    }
    if (!matches) continue;
    const hook = HOOKS[prefix];
    if (!hook) {
      throw yaml.error(at, `Kumo runs pre-, success- and post- actions of ${method}, not ${prefix}- ones`);
    }
    list.forEach((entry, i) => {
      const stepAt = [...at, i];
      if (entry && typeof entry === 'object' && !('run' in entry)) {
        throw yaml.error(
          stepAt,
          'Kumo runs `run:` actions only (component and plugin actions need Serverless Devs)',
        );
      }
      const step = yaml.parse(runStep, entry, stepAt);
      actions.push({ hook, run: step.run, path: resolve(root, step.path ?? '.') });
    });
  }
  return actions;
}
