import { goFixtureZip } from '../helpers/go.js';

/**
 * go1's row of the shared conformance table (conformance.test.ts): the Go fixture (test/fixtures/runtimes/go)
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
      tests: ['handled error', 'rejected promise'],
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
