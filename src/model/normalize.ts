import { z } from 'zod';

/**
 * FC matches JSON keys case-insensitively (Funcraft sends `CAPort`, `CustomContainerConfig{Image}`), so before
 * validation every key the schema knows is renamed to the schema's spelling. Unknown keys pass through unchanged
 * and the schema then drops them; record keys (environment variables) are never touched.
 */
export function normalizeKeys(input: unknown, schema: z.ZodType): unknown {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject && isPlainObject(input)) {
    const shape = inner.shape as Record<string, z.ZodType>;
    const byLowerCase = new Map(Object.keys(shape).map((key) => [key.toLowerCase(), key]));
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(input)) {
      const canonical = byLowerCase.get(key.toLowerCase()) ?? key;
      const field = shape[canonical];
      // An exact-case key wins over a differently cased duplicate.
      if (canonical in out && key !== canonical) continue;
      out[canonical] = field ? normalizeKeys(value, field) : value;
    }
    return out;
  }
  if (inner instanceof z.ZodArray && Array.isArray(input)) {
    return input.map((item) => normalizeKeys(item, inner.element as z.ZodType));
  }
  return input;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodDefault) {
      current = current.def.innerType as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.def.in as z.ZodType;
    } else {
      return current;
    }
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
