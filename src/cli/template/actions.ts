import { resolve } from 'node:path';
import { z } from 'zod';
import type { ProjectAction } from './project.js';
import type { YamlFile } from './yaml-doc.js';

const HOOKS = ['pre-deploy', 'post-deploy'] as const;
const runAction = z.strictObject({ run: z.string().min(1), path: z.string().optional() });

/**
 * Reads an s.yaml entry's `actions` (`pre-deploy` / `post-deploy` lists of `run:` commands with an optional
 * `path:` relative to the s.yaml). Other hooks and component or plugin actions are refused, located.
 */
export function readActions(
  yaml: YamlFile,
  root: string,
  value: unknown,
  path: (string | number)[],
): ProjectAction[] {
  if (value === undefined) return [];
  const hooks = yaml.parse(z.record(z.string(), z.array(z.unknown())), value, path);
  const actions: ProjectAction[] = [];
  for (const [hook, list] of Object.entries(hooks)) {
    if (!(HOOKS as readonly string[]).includes(hook)) {
      throw yaml.error([...path, hook], `Kumo runs ${HOOKS.join(' and ')} actions, not '${hook}'`);
    }
    list.forEach((entry, i) => {
      const at = [...path, hook, i];
      if (entry && typeof entry === 'object' && !('run' in entry)) {
        throw yaml.error(
          at,
          'Kumo runs `run:` actions only (component and plugin actions need Serverless Devs)',
        );
      }
      const action = yaml.parse(runAction, entry, at);
      actions.push({
        hook: hook as ProjectAction['hook'],
        run: action.run,
        path: resolve(root, action.path ?? '.'),
      });
    });
  }
  return actions;
}
