import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zipFiles } from '../helpers/code.js';
import { startTestServer } from '../helpers/server.js';

// Sleeps for the event's milliseconds (an I/O-bound call: no CPU while it waits) and says which instance ran it
// and how many calls that instance ran at once at most.
const SLEEPER = `
const id = require('node:crypto').randomUUID();
let inFlight = 0;
let peak = 0;
exports.handler = (event, context, callback) => {
  inFlight++;
  peak = Math.max(peak, inFlight);
  setTimeout(() => {
    inFlight--;
    callback(null, JSON.stringify({ id, peak }));
  }, Number(event.toString()));
};
`;

test('with the CPU-aware scale-out on, concurrent sleeping calls each get an instance, one call per instance', async (t) => {
  const { fc, server } = await startTestServer(t, { scaleOutHoldMs: 250 });
  await fc.createService('scale');
  await fc.createFunction('scale', {
    functionName: 'sleeper',
    runtime: 'nodejs20',
    handler: 'index.handler',
    memorySize: 128,
    timeout: 30,
    code: { zipFile: await zipFiles({ 'index.js': SLEEPER }) },
  });
  const warm = await fc.invokeFunction('scale', 'sleeper', '0');
  const first = JSON.parse(String(warm.data)) as { id: string };

  const calls = 6;
  const answers = await Promise.all(
    Array.from({ length: calls }, async () => {
      const response = await fc.invokeFunction('scale', 'sleeper', '4000');
      assert.equal(response.headers['x-fc-error-type'], undefined, String(response.data));
      return JSON.parse(String(response.data)) as { id: string; peak: number };
    }),
  );
  const instances = new Set(answers.map((a) => a.id));
  assert.equal(instances.size, calls, 'every sleeping call ran on its own instance: the function scaled out');
  assert.ok(instances.has(first.id), 'the warm instance took one of them');
  for (const answer of answers) assert.equal(answer.peak, 1, 'instanceConcurrency 1: one call at a time');
  assert.equal(server.instanceCount(), calls);
});
