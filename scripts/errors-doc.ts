// Regenerates docs/errors.md from the error catalogue: `npx tsx scripts/errors-doc.ts`.
import { writeFileSync } from 'node:fs';
import { ERROR_CATALOGUE } from '../src/model/index.js';

const lines = [
  '# FC error codes Kumo answers with',
  '',
  'Every platform error is JSON `{"ErrorCode", "ErrorMessage", "RequestId"}` (plus `Code`/`Message` for FC 3.0 clients) with this HTTP status. Generated from `src/model/errors.ts` by `scripts/errors-doc.ts`; `test/api/errors-doc.test.ts` fails when they drift.',
  '',
  'Function failures are not in this table: an invocation whose function fails is still HTTP 200 with `X-Fc-Error-Type: HandledInvocationError` or `UnhandledInvocationError` and a body `{errorMessage, errorType, stackTrace}`; through an HTTP trigger it is 502 `{errorMessage}`. The HTTP proxy answers an oversized body (with a length or chunked) with 400 `EntityTooLarge` as the invoke API does, and its platform errors carry `X-Fc-Error-Type: FcCommonError`.',
  '',
  '| ErrorCode | HTTP | kind | meaning |',
  '|---|---|---|---|',
  ...Object.entries(ERROR_CATALOGUE).map(
    ([code, e]) => `| \`${code}\` | ${e.status} | ${e.kind} | ${e.description} |`,
  ),
];
writeFileSync(new URL('../docs/errors.md', import.meta.url), `${lines.join('\n')}\n`);
