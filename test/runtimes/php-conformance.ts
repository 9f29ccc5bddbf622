import type { RuntimeUnderTest } from './conformance-harness.js';

/** php7.2's row of the shared conformance table (conformance-table.ts); fixtures in test/fixtures/runtimes/php. */
const PHP_NAMES: Record<string, string> = {
  'index.echo': 'index.echo_event',
  'index.log': 'index.write_logs',
  'index.sleep': 'index.sleep_for',
  'index.exit': 'index.exit_process',
};

export const PHP_ROW: RuntimeUnderTest = {
  runtime: 'php7.2',
  family: 'php',
  skip: [
    {
      reason: 'PHP handlers have no callback or promise',
      tests: ['handled error', 'rejected promise', 'async handler result'],
    },
    {
      reason:
        "FC's PHP logger (Monolog) writes one entry per line and has no setLogLevel/log pair of Node's agent",
      tests: ['multi-line message is one log entry', 'context.logger levels'],
    },
    {
      reason: "PHP has no event loop: FC's PHP runtime runs one call at a time to its end",
      tests: ['waitsForEmptyEventLoopBeforeCallback holds the next call'],
    },
    {
      reason: "FC gives PHP HTTP functions a PSR-7 request and expects a PSR-7 response, not Node's objects",
      tests: ['HTTP request.body and stream', 'HTTP response refuses what FC refuses'],
    },
  ],
  // PHP cannot name functions echo, log, sleep or exit (keywords and built-ins): the fixtures rename them.
  handler: (name) => PHP_NAMES[name] ?? name,
  // FC's php7.2 agent names errors by PHP class: ParseError, the require warning as ErrorException, \Exception.
  errorTypes: { syntax: 'ParseError', missingDependency: 'ErrorException', missingHandler: 'Exception' },
};
