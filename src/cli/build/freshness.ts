import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { zipDirectory } from '../../code/index.js';
import { readFcIgnore } from '../fcignore.js';
import type { Project, ProjectFunction } from '../template/index.js';
import { buildPaths, type Stamp } from './paths.js';
import { runtimeFamily } from './plan.js';

/** What `kumo deploy` zips for a function, and what it should tell the user about it. */
export interface CodeSource {
  /** Folder to zip. */
  dir: string;
  /** A file to upload as the code package instead (a Java runtime's jar). */
  file?: string;
  /** `using the build in …` when the built folder is used. */
  note?: string;
  warnings: string[];
}

/**
 * The built folder `.kumo/build/<service>/<function>` when it exists and no source file changed after its
 * build started; else the source folder, with a warning when a stale build is ignored or the source has a
 * dependency manifest but no installed dependencies.
 */
export function codeSource(
  project: Project,
  serviceName: string,
  fn: ProjectFunction,
): CodeSource | undefined {
  if (!fn.codeDir) return undefined;
  // A CodeUri that names a built package (a Java jar, a zip) is uploaded as it is, as FC does.
  if (isPackageFile(fn.codeDir)) return { dir: dirname(fn.codeDir), file: fn.codeDir, warnings: [] };
  const name = `${serviceName}/${fn.functionName}`;
  const paths = buildPaths(project, serviceName, fn.functionName);
  const shown = relative(process.cwd(), paths.dir) || '.';
  const stamp = readStamp(paths.stamp);
  const warnings: string[] = [];
  if (stamp && existsSync(paths.dir)) {
    const changed = newerThan(fn.codeDir, stamp.startedAt, [
      join(fn.codeDir, '.kumo'),
      join(paths.root, '..'),
    ]);
    if (!changed) {
      return {
        dir: paths.dir,
        file: stamp.artifact ? join(paths.dir, stamp.artifact) : undefined,
        note: `${name}: using the build in ${shown} (${new Date(stamp.startedAt).toISOString()})`,
        warnings,
      };
    }
    warnings.push(
      `${name}: ignoring the build in ${shown}: ${relative(fn.codeDir, changed) || changed} changed after it; ` +
        'run `kumo build` or `kumo deploy --build`',
    );
  }
  const missing = missingDependencies(
    fn.codeDir,
    String(fn.config.runtime ?? ''),
    String(fn.config.handler ?? ''),
  );
  if (missing) {
    warnings.push(
      `${name}: ${missing}: the function will fail where it needs them; run \`kumo build\` or \`kumo deploy --build\``,
    );
  }
  return { dir: fn.codeDir, warnings };
}

/** A `.zip` or `.jar` file given as a function's code. */
export function isPackageFile(codeUri: string): boolean {
  return /\.(zip|jar)$/i.test(codeUri) && statSync(codeUri, { throwIfNoEntry: false })?.isFile() === true;
}

function readStamp(file: string): Stamp | undefined {
  try {
    const stamp = JSON.parse(readFileSync(file, 'utf8')) as Stamp;
    return typeof stamp.startedAt === 'number' ? stamp : undefined;
  } catch {
    return undefined;
  }
}

/** The first file or folder under `dir` modified after `time`, skipping `skip`. */
function newerThan(dir: string, time: number, skip: string[]): string | undefined {
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop() ?? '';
    // Whole milliseconds, as Date.now() is: a folder made in the build's first millisecond is not a change.
    if (Math.floor(lstatSync(current).mtimeMs) > time) return current;
    if (!lstatSync(current).isDirectory()) continue;
    for (const entry of readdirSync(current)) {
      const path = join(current, entry);
      if (entry === '.git' || skip.includes(path)) continue;
      stack.push(path);
    }
  }
  return undefined;
}

const has = (dir: string, name: string) => existsSync(join(dir, name));

function listsDependencies(dir: string): boolean {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    return Object.keys((pkg.dependencies as object | undefined) ?? {}).length > 0;
  } catch {
    return false;
  }
}

function hasPythonPackages(dir: string): boolean {
  return [dir, join(dir, 'python')].some(
    (d) => existsSync(d) && readdirSync(d).some((e) => e.endsWith('.dist-info') || e.endsWith('.egg-info')),
  );
}

function requirements(dir: string): boolean {
  if (!has(dir, 'requirements.txt')) return false;
  return readFileSync(join(dir, 'requirements.txt'), 'utf8')
    .split('\n')
    .some((line) => line.trim() !== '' && !line.trim().startsWith('#'));
}

/** Says what is missing when a manifest lists dependencies that are not in the folder. */
export function missingDependencies(dir: string, runtime: string, handler: string): string | undefined {
  const family = runtimeFamily(runtime);
  const node = family === 'nodejs' || family === 'custom';
  if (node && listsDependencies(dir) && !has(dir, 'node_modules'))
    return 'package.json lists dependencies but there is no node_modules';
  if ((family === 'python' || family === 'custom') && requirements(dir) && !hasPythonPackages(dir))
    return 'requirements.txt lists packages but none is installed beside the code';
  if (family === 'java' && has(dir, 'pom.xml') && !has(dir, 'target'))
    return 'there is a pom.xml but no target/ (the jar is not built)';
  if (family === 'go' && has(dir, 'go.mod') && !has(dir, handler || 'main'))
    return `there is a go.mod but no binary '${handler || 'main'}'`;
  if ((family === 'php' || family === 'custom') && has(dir, 'composer.json') && !has(dir, 'vendor'))
    return 'there is a composer.json but no vendor/';
  return undefined;
}

/**
 * Decides every function's code source up front (printing which build is used and every warning before anything
 * is deployed), then packages each on demand: the artifact file as is, or the folder zipped with its .fcignore.
 */
export function codePackager(
  project: Project,
  say: (line: string) => void,
  warn: (line: string) => void,
): (serviceName: string, fn: ProjectFunction) => Promise<Buffer | undefined> {
  const sources = new Map<ProjectFunction, CodeSource | undefined>();
  for (const service of project.services) {
    for (const fn of service.functions) {
      const source = codeSource(project, service.serviceName, fn);
      // Never follow a link a build left in place of the jar (it could lead to any file of the host); checked
      // before anything is deployed.
      if (source?.file && !lstatSync(source.file, { throwIfNoEntry: false })?.isFile())
        throw new Error(`${source.file} is not a regular file: run kumo build again`);
      sources.set(fn, source);
      if (source?.note) say(source.note);
      for (const warning of source?.warnings ?? []) warn(warning);
    }
  }
  return async (_serviceName, fn) => {
    const source = sources.get(fn);
    if (!source) return undefined;
    if (source.file) return readFileSync(source.file);
    return zipDirectory(source.dir, readFcIgnore(source.dir));
  };
}
