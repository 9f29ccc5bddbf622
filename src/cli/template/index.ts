import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { readFuncraft } from './funcraft.js';
import { type Project, TemplateError } from './project.js';
import { readServerlessDevs } from './serverless-devs.js';
import { YamlFile } from './yaml-doc.js';

export type {
  Project,
  ProjectAction,
  ProjectDomain,
  ProjectFunction,
  ProjectService,
} from './project.js';
export { TemplateError } from './project.js';

const CANDIDATES = ['template.yml', 'template.yaml', 's.yaml', 's.yml'];

/** Finds the template (`-t`, else the first of template.yml / s.yaml in `dir`) and reads it, either format. */
export function readTemplate(dir: string, explicit?: string): Project {
  const file = explicit
    ? resolve(dir, explicit)
    : CANDIDATES.map((c) => join(dir, c)).find((c) => existsSync(c));
  if (!file || !existsSync(file)) {
    throw new TemplateError(
      explicit
        ? `${explicit}: no such file`
        : `no template in ${dir}: expected one of ${CANDIDATES.join(', ')}`,
    );
  }
  const yaml = new YamlFile(file, readFileSync(file, 'utf8'));
  const data = yaml.data as Record<string, unknown> | null;
  if (data && typeof data === 'object' && 'ROSTemplateFormatVersion' in data) return readFuncraft(yaml);
  if (data && typeof data === 'object' && 'edition' in data) return readServerlessDevs(yaml);
  throw new TemplateError(
    `${basename(file)}: neither a Funcraft template (ROSTemplateFormatVersion) nor a Serverless Devs s.yaml (edition)`,
  );
}
