import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { readFuncraft } from './funcraft.js';
import { type Project, TemplateError } from './project.js';
import { readServerlessDevs } from './serverless-devs.js';
import { readServerlessDevs3 } from './serverless-devs3.js';
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
  const text = readFileSync(file, 'utf8');
  rejectPlaceholders(file, text);
  const yaml = new YamlFile(file, text);
  const data = yaml.data as Record<string, unknown> | null;
  if (data && typeof data === 'object' && 'ROSTemplateFormatVersion' in data) return readFuncraft(yaml);
  if (data && typeof data === 'object' && 'edition' in data) return readEdition(yaml, String(data.edition));
  throw new TemplateError(
    `${basename(file)}: neither a Funcraft template (ROSTemplateFormatVersion) nor a Serverless Devs s.yaml (edition)`,
  );
}

/** Serverless Devs editions: 1.x and 2.x list `services:` (devsapp/fc), 3.x lists `resources:` (fc3). */
function readEdition(yaml: YamlFile, edition: string): Project {
  if (/^3\.\d+\.\d+$/.test(edition)) return readServerlessDevs3(yaml);
  if (/^[12]\.\d+\.\d+$/.test(edition)) return readServerlessDevs(yaml);
  throw yaml.error(
    ['edition'],
    `edition '${edition}' is not supported: Kumo reads Serverless Devs editions 1.0.0 and 2.0.0 (services:, component devsapp/fc) and 3.0.0 (resources:, component fc3)`,
  );
}

/**
 * `{{ functionName }}` is a Serverless Devs template's placeholder, filled by `s init`: one left in the file would
 * deploy under a name like `{{ functionName }}`. All of them are named, each with its line and column.
 */
function rejectPlaceholders(file: string, text: string): void {
  const found: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (/^\s*#/.test(line)) return;
    for (const match of line.matchAll(/\{\{\s*([^{}]*?)\s*\}\}/g)) {
      found.push(`${file}:${i + 1}:${(match.index ?? 0) + 1}: {{ ${match[1]} }}`);
      if (found.length === 20) return;
    }
  });
  if (found.length === 0) return;
  throw new TemplateError(
    `the template still has placeholders that \`s init\` fills in (replace each with a value):\n  ${found.join('\n  ')}`,
  );
}
