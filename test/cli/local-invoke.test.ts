// `kumo local invoke`: one command, no server started first and no credentials, and nothing left behind.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collect, exampleCopy, leftoversOf, nothingLeft, spawnKumo } from './local-helpers.js';

const cases = [
  { example: 'nodejs-event', result: /FC Invoke Result:\n\{"message":"Hello, Kumo!","runtime":"nodejs"/ },
  { example: 'python-event', result: /FC Invoke Result:\n\{"message": "Hello, Kumo!", "runtime": "python"/ },
];

for (const { example, result } of cases) {
  test(`kumo local invoke (${example}): deploys to a throwaway Kumo, prints logs and result, leaves nothing`, {
    timeout: 120_000,
  }, async (t) => {
    const dir = exampleCopy(t, example);
    const child = spawnKumo(['local', 'invoke', `${example}/${example}`, '-e', 'Kumo'], dir);
    const { output, done } = collect(child);
    const { code } = await done;
    assert.equal(code, 0, output.stdout + output.stderr);
    assert.match(output.stdout, result);
    assert.match(output.stdout, /FC Invoke Start RequestId: \S+/);
    assert.match(output.stdout, /greeting Kumo/);
    assert.match(output.stderr, new RegExp(`✓ function ${example}/${example}: created`));
    assert.deepEqual(await leftoversOf(child.pid as number), nothingLeft);
  });
}

test('kumo local invoke reads the event from stdin (-s) and names the function when the target is wrong', {
  timeout: 120_000,
}, async (t) => {
  const dir = exampleCopy(t, 'nodejs-event');
  const child = spawnKumo(['local', 'invoke', '-s', '--json'], dir);
  const { output, done } = collect(child);
  child.stdin?.end('stdin');
  assert.equal((await done).code, 0, output.stderr);
  const parsed = JSON.parse(output.stdout) as { result: string; logs: string };
  assert.match(parsed.result, /Hello, stdin!/);
  assert.match(parsed.logs, /FC Invoke End RequestId/);
  assert.deepEqual(await leftoversOf(child.pid as number), nothingLeft);

  const wrong = spawnKumo(['local', 'invoke', 'nodejs-event/nope'], dir);
  const failed = collect(wrong);
  assert.equal((await failed.done).code, 1);
  assert.match(
    failed.output.stderr,
    /has no function nodejs-event\/nope: choose one of nodejs-event\/nodejs-event/,
  );
});
