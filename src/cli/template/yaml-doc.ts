import { LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { TemplateError } from './project.js';

/** A parsed YAML file that can say where a property path is, for error messages. */
export class YamlFile {
  readonly data: unknown;
  readonly #doc: ReturnType<typeof parseDocument>;
  readonly #lines = new LineCounter();

  constructor(
    readonly file: string,
    text: string,
  ) {
    this.#doc = parseDocument(text, { lineCounter: this.#lines, prettyErrors: false });
    const first = this.#doc.errors[0];
    if (first) {
      const pos = this.#lines.linePos(first.pos[0]);
      throw new TemplateError(
        `${file}:${pos.line}:${pos.col}: not valid YAML: ${first.message.split('\n')[0]}`,
      );
    }
    this.data = this.#doc.toJS();
  }

  /** `file:line:col: a.b.c: message`, pointing at the deepest node of `path` that exists. */
  error(path: readonly (string | number)[], message: string): TemplateError {
    let located = '';
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.#doc.getIn(path.slice(0, depth), true) as Node | undefined;
      const start = node?.range?.[0];
      if (start !== undefined) {
        const pos = this.#lines.linePos(start);
        located = `:${pos.line}:${pos.col}`;
        break;
      }
    }
    return new TemplateError(`${this.file}${located}: ${path.join('.') || '(top)'}: ${message}`);
  }

  /** Validates the value at `path` with a zod schema; the first issue becomes a located TemplateError. */
  parse<S extends z.ZodType>(schema: S, value: unknown, path: readonly (string | number)[]): z.infer<S> {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const issuePath = [...path, ...(issue?.path ?? []).map((p) => (typeof p === 'symbol' ? String(p) : p))];
    const unknown = issue?.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    throw this.error(issuePath, `${issue?.message ?? 'invalid'}${unknown}`);
  }
}
