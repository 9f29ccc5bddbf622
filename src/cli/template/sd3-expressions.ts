/**
 * Serverless Devs 3.x expressions inside `${…}` in an s.yaml's values: `vars.x`, `env('X')` (with an optional
 * default), `env.X`, `resources.<name>.props.<path>`, `this.name` and `this.props.<path>`. A string that is one
 * whole expression takes the value as it is (an object, a number); one with text around takes it as text.
 */
export interface ExpressionScope {
  vars: Record<string, unknown>;
  env: Record<string, string | undefined>;
  /** The evaluated props of resource `name` (undefined if there is no such resource). */
  resourceProps(name: string): unknown;
  /** The resource whose props are being evaluated. */
  self: { name: string; props: unknown };
}

/** An expression that cannot be evaluated; the caller locates it in the file. */
export class ExpressionError extends Error {
  override name = 'ExpressionError';
}

const EXPRESSION = /\$\{([^{}]*)\}/g;
const SUPPORTED =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the expressions' own syntax, shown to the user.
  "Kumo evaluates ${vars.x}, ${env('X')}, ${env('X', 'default')}, ${env.X}, ${resources.<name>.props.<path>}, ${this.name} and ${this.props.<path>}";

/** Evaluates every `${…}` of `text`. */
export function evaluateText(text: string, scope: ExpressionScope): unknown {
  const whole = /^\$\{([^{}]*)\}$/.exec(text);
  if (whole) return evaluate(whole[1] ?? '', scope);
  return text.replace(EXPRESSION, (_m, expression: string) => {
    const value = evaluate(expression, scope);
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

/** True when a string holds a `${…}` expression. */
export const hasExpression = (text: string): boolean => /\$\{[^{}]*\}/.test(text);

function evaluate(source: string, scope: ExpressionScope): unknown {
  const expression = source.trim();
  const call = /^(\w+)\((.*)\)$/s.exec(expression);
  if (call) return evaluateCall(call[1] ?? '', parseArguments(call[2] ?? '', expression), expression, scope);
  const [head = '', ...rest] = splitPath(expression);
  if (head === 'vars') return found(walk(scope.vars, rest), expression);
  if (head === 'env' && rest.length === 1) return found(scope.env[rest[0] ?? ''], expression);
  if (head === 'this' && rest[0] === 'name' && rest.length === 1) return scope.self.name;
  if (head === 'this' && rest[0] === 'props') return found(walk(scope.self.props, rest.slice(1)), expression);
  if (head === 'resources' && rest[1] === 'props') {
    const props = scope.resourceProps(rest[0] ?? '');
    if (props === undefined)
      throw new ExpressionError(`\${${expression}}: there is no resource '${rest[0]}'`);
    return found(walk(props, rest.slice(2)), expression);
  }
  if (head === 'resources' && rest[1] === 'output') {
    throw new ExpressionError(
      `\${${expression}}: a resource's output exists only after Serverless Devs deployed it; Kumo reads props only`,
    );
  }
  throw new ExpressionError(`\${${expression}} is not an expression Kumo can evaluate: ${SUPPORTED}`);
}

function evaluateCall(name: string, args: string[], expression: string, scope: ExpressionScope): unknown {
  if (name === 'env' && (args.length === 1 || args.length === 2)) {
    const value = scope.env[args[0] ?? ''];
    if (value !== undefined) return value;
    if (args.length === 2) return args[1];
    throw new ExpressionError(`\${${expression}}: the environment variable ${args[0]} is not set`);
  }
  throw new ExpressionError(`\${${expression}}: ${name}() is not a function Kumo can evaluate: ${SUPPORTED}`);
}

/** `'a', "b"` → ['a', 'b']: quoted string arguments only. */
function parseArguments(text: string, expression: string): string[] {
  const args: string[] = [];
  const pattern = /\s*(?:'([^']*)'|"([^"]*)")\s*(,|$)/y;
  let at = 0;
  while (at < text.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (!match) throw new ExpressionError(`\${${expression}}: arguments must be quoted strings`);
    args.push(match[1] ?? match[2] ?? '');
    at = pattern.lastIndex;
    if (match[3] === '') break;
  }
  return args;
}

/** `a.b[0]['c']` → ['a', 'b', '0', 'c']. */
function splitPath(expression: string): string[] {
  return expression
    .replace(
      /\[\s*(?:'([^']*)'|"([^"]*)"|(\d+))\s*\]/g,
      (_m, a?: string, b?: string, c?: string) => `.${a ?? b ?? c}`,
    )
    .split('.')
    .map((part) => part.trim());
}

function walk(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function found(value: unknown, expression: string): unknown {
  if (value === undefined) throw new ExpressionError(`\${${expression}} is not defined`);
  return value;
}

/**
 * An action key's method part: `deploy`, or `${regex('deploy|local')}`, matched against the command being run.
 */
export function keyMatchesMethod(method: string, pattern: string): boolean {
  const regex = /^\$\{\s*regex\(\s*(?:'([^']*)'|"([^"]*)")\s*\)\s*\}$/.exec(pattern);
  if (!regex) {
    if (hasExpression(pattern))
      throw new ExpressionError(`'${pattern}': an action key takes a method name or \${regex('…')}`);
    return pattern === method;
  }
  let compiled: RegExp;
  try {
    compiled = new RegExp(regex[1] ?? regex[2] ?? '');
  } catch (error) {
    throw new ExpressionError(`'${pattern}': ${(error as Error).message}`);
  }
  return compiled.test(method);
}
