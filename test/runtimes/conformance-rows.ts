import type { RuntimeUnderTest } from './conformance-harness.js';

/** The Node.js and Python rows of the shared conformance table (conformance-table.ts). */
/** What FC's nodejs ≤ 16 agents do differently from nodejs18/20 (FC_RUNTIME.md §2.3, §2.5). */
const OLD_NODE = {
  unhandledType: (name: string) => `FunctionUnhandledError: ${name}`,
  infoLabel: 'info',
  logLabel: 'verbose',
  asyncResultIgnored: true,
};

export const NODEJS20_ROW: RuntimeUnderTest = {
  runtime: 'nodejs20',
  family: 'nodejs',
  infoLabel: 'info',
  logLabel: 'info',
};
export const NODEJS14_ROW: RuntimeUnderTest = { runtime: 'nodejs14', family: 'nodejs', ...OLD_NODE };
export const NODEJS12_ROW: RuntimeUnderTest = { runtime: 'nodejs12', family: 'nodejs', ...OLD_NODE };
/** FC's two oldest runtimes, on Node.js 6 and 4: the table's handlers in the syntax of that time. */
export const NODEJS6_ROW: RuntimeUnderTest = { runtime: 'nodejs6', family: 'nodejs-legacy', ...OLD_NODE };
export const NODEJS4_ROW: RuntimeUnderTest = { runtime: 'nodejs4.4', family: 'nodejs-legacy', ...OLD_NODE };

export const PYTHON_ROW: RuntimeUnderTest = {
  runtime: 'python3.10',
  family: 'python',
  skip: [
    {
      reason: 'Python handlers have no callback, so no handled errors',
      tests: ['handled error', 'rejected promise', 'async handler result'],
    },
    {
      reason: "FC's Python runtime writes print() output raw, one log entry per line",
      tests: ['multi-line message is one log entry'],
    },
    {
      reason: 'FC gives Python HTTP functions a WSGI environ (body in wsgi.input), not a request object',
      tests: ['HTTP request.body and stream', 'HTTP response refuses what FC refuses'],
    },
    { reason: "FC's Python logger has no setLogLevel/log pair", tests: ['context.logger levels'] },
    {
      reason: "FC's Python runtime has no event loop: a handler's threads run on after it returns",
      tests: ['waitsForEmptyEventLoopBeforeCallback holds the next call'],
    },
  ],
};
