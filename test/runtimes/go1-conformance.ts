import { goFixtureZip } from '../helpers/go.js';

/**
 * go1's row of the shared conformance table (conformance-table.ts): the Go fixture (test/fixtures/runtimes/go)
 * built with fc-runtime-go-sdk v0.3.1, and what FC's Go programming model does differently.
 */
export const GO1_ROW = {
  runtime: 'go1',
  family: 'go',
  pack: goFixtureZip,
  // FC's Go SDK JSON-encodes what a handler returns (fc/handler.go): `"a"` for the string a.
  answerText: (body: Buffer) => String(JSON.parse(body.toString())),
  // fccontext's logger: Go's trimmed milliseconds (`.999`) and the caller's file:line (log.Lshortfile).
  logLine: (rid: string, message: string) =>
    new RegExp(
      `^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,3})?Z ${rid} \\[INFO\\] \\w+\\.go:\\d+: ${message}$`,
      'm',
    ),
  skip: [
    {
      reason: "FC's Go SDK answers JSON (it marshals every return value), so raw bytes cannot come back",
      tests: ['echo event bytes'],
    },
    {
      reason: 'Go has no callback or promise: FC reports every Go function error as UnhandledInvocationError',
      tests: ['handled error', 'rejected promise', 'async handler result'],
    },
    // The Node.js programming-model cases (conformance-model.ts on main since the node merge):
    {
      reason: "FC's Go logger (fccontext) writes a message's newlines as they are: one log entry per line",
      tests: ['multi-line message is one log entry'],
    },
    {
      reason: "FC's Go logger (fccontext.FcLogger) has Debug/Info/Warn/Error only: no setLogLevel/log pair",
      tests: ['context.logger levels'],
    },
    {
      reason: "Go has no event loop: a handler's goroutines run on after it returns",
      tests: ['waitsForEmptyEventLoopBeforeCallback holds the next call'],
    },
    {
      reason:
        "FC gives Go HTTP functions net/http's *http.Request and http.ResponseWriter, not Node's objects",
      tests: ['HTTP request.body and stream', 'HTTP response refuses what FC refuses'],
    },
    {
      reason: 'a go1 function is a compiled executable: there is no module to parse or import at run time',
      tests: ['syntax error', 'missing dependency'],
    },
    {
      reason:
        'a go1 handler names an executable: a missing one fails the instance start (test/runtimes/go1.test.ts)',
      tests: ['missing handler'],
    },
  ],
};
