import type { z } from 'zod';
import { invalidArgument } from './errors.js';
import { isPlainObject, normalizeKeys } from './normalize.js';

/** A request body as a JSON object (an empty body is `{}`), or a 400 InvalidArgument. */
export function parseJsonObject(raw: Buffer | string | undefined): Record<string, unknown> {
  const text = raw === undefined ? '' : raw.toString();
  let json: unknown = {};
  if (text.trim() !== '') {
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw invalidArgument(`the request body is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (!isPlainObject(json)) throw invalidArgument('the request body must be a JSON object');
  return json;
}

/** Validates a plain object against a schema after matching its keys case-insensitively (FC's rule). */
export function validateInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  if (!isPlainObject(input)) throw invalidArgument('the request body must be a JSON object');
  const result = schema.safeParse(normalizeKeys(input, schema));
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join('.') || 'body';
    throw invalidArgument(`invalid ${field}: ${issue?.message ?? 'invalid value'}`);
  }
  return result.data;
}
