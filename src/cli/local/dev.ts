import { dirname } from 'node:path';
import type { Project, ProjectFunction } from '../template/index.js';
import { readTemplate } from '../template/index.js';
import type { EmbeddedKumo } from './embedded.js';
import { deployLocally, type LocalOptions, narrow } from './session.js';
import type { LogTail } from './tail.js';
import { type ChangeBatch, isInside, watchFolders } from './watch.js';

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * Watch mode: a change to the template redeploys the project (the deploy leaves matching resources alone); a
 * change to a function's code redeploys that function only. Each redeploy says how long after the save the new
 * code was live. Resolves when watching has begun; it stops with the process.
 */
export async function startWatching(
  kumo: EmbeddedKumo,
  first: Project,
  options: LocalOptions,
  tail: LogTail,
  print: (line: string) => void,
): Promise<void> {
  let project = first;
  const folders = () => [
    dirname(project.file),
    ...project.services.flatMap((s) => s.functions.flatMap((fn) => (fn.codeDir ? [fn.codeDir] : []))),
  ];
  const redeploy = async (batch: ChangeBatch) => {
    let target: Project;
    if (batch.paths.includes(project.file)) {
      try {
        project = readTemplate(dirname(project.file), options.template);
      } catch (error) {
        print(`✗ ${(error as Error).message} (still serving the last good deploy)`);
        return;
      }
      target = project;
    } else {
      const changed = new Set<ProjectFunction>();
      for (const service of project.services)
        for (const fn of service.functions)
          if (fn.codeDir && batch.paths.some((path) => isInside(path, fn.codeDir as string))) changed.add(fn);
      if (changed.size === 0) return;
      target = narrow(project, changed);
    }
    const lines: string[] = [];
    try {
      const result = await deployLocally(kumo, target, options, (line) => lines.push(line));
      for (const line of lines) if (!line.startsWith('·')) print(line);
      for (const service of target.services)
        for (const fn of service.functions) tail.follow(`${service.serviceName}/${fn.functionName}`);
      for (const url of result.urls) if (target === project) print(`HTTP trigger: ${url}`);
      print(`↻ live ${seconds(Date.now() - batch.since)} after the save (${changedNames(target)})`);
    } catch (error) {
      for (const line of lines) print(line);
      print(`✗ redeploy failed: ${(error as Error).message} (still serving the last good deploy)`);
    }
  };
  const watcher = watchFolders([...new Set(folders())], redeploy);
  await watcher.ready;
  print(`Watching ${dirname(project.file)} for changes (Ctrl-C to stop).`);
}

function changedNames(project: Project): string {
  return project.services
    .flatMap((s) => s.functions.map((fn) => `${s.serviceName}/${fn.functionName}`))
    .join(', ');
}
