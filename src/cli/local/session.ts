import { type BuildSettings, buildProject, codePackager, runActions } from '../build/index.js';
import { buildSettings } from '../build-command.js';
import { type DeployResult, deploy } from '../deploy.js';
import type { Project, ProjectFunction, ProjectService } from '../template/index.js';
import type { EmbeddedKumo } from './embedded.js';

export interface LocalOptions {
  template?: string;
  build?: boolean;
  timeout?: string;
  sandbox?: string;
  port?: string;
}

/** Everything `kumo local` prints besides a function's result goes to stderr, so stdout can be piped. */
export const progress = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** The `<service>/<function>` of a project, or its only function when no target is given. */
export function findTarget(
  project: Project,
  target: string | undefined,
): { service: ProjectService; fn: ProjectFunction } {
  const all = project.services.flatMap((service) => service.functions.map((fn) => ({ service, fn })));
  const names = all.map(({ service, fn }) => `${service.serviceName}/${fn.functionName}`);
  if (!target) {
    if (all.length === 1 && all[0]) return all[0];
    throw new Error(`${project.file} has ${all.length} functions: name one of ${names.join(', ')}`);
  }
  const found = all.find(({ service, fn }) => `${service.serviceName}/${fn.functionName}` === target);
  if (!found) throw new Error(`${project.file} has no function ${target}: choose one of ${names.join(', ')}`);
  return found;
}

/** The same project narrowed to some functions (their service and triggers come along, nothing else). */
export function narrow(project: Project, keep: Set<ProjectFunction>): Project {
  return {
    ...project,
    services: project.services
      .map((service) => ({ ...service, functions: service.functions.filter((fn) => keep.has(fn)) }))
      .filter((service) => service.functions.length > 0),
    customDomains: [],
  };
}

/** `kumo deploy` against the embedded server: the same build, actions and deploy code, one line per resource. */
export async function deployLocally(
  kumo: EmbeddedKumo,
  project: Project,
  options: LocalOptions,
  say: (line: string) => void = progress,
): Promise<DeployResult> {
  const settings: BuildSettings = buildSettings(project.file, options.timeout, say);
  await runActions(project, 'pre-deploy', settings);
  if (options.build) await buildProject(project, settings);
  const warn = (line: string) => process.stderr.write(`kumo: warning: ${line}\n`);
  const result = await deploy(kumo.client, project, say, codePackager(project, say, warn));
  await runActions(project, 'post-deploy', settings);
  return result;
}
