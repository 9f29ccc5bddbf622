import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { type GenericStarter, RuntimePool } from '../../src/sandbox/prewarm/pool.js';
import type { GenericInstance, SandboxSpec } from '../../src/sandbox/types.js';
import { until } from '../helpers/poll.js';

/** A fake at the sandbox seam: each "instance" is a local HTTP server answering as a generic agent does (503). */
function fakeStarter(): GenericStarter & { running: number; started: SandboxSpec[] } {
  const starter = {
    running: 0,
    started: [] as SandboxSpec[],
    async startGeneric(spec: SandboxSpec): Promise<GenericInstance> {
      starter.started.push(spec);
      const server = createServer((_req, res) => res.writeHead(503).end());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      starter.running++;
      let stopped: Promise<void> | undefined;
      let exit = () => {};
      const exited = new Promise<{ code: number; signal: null; oomKilled: boolean }>((resolve) => {
        exit = () => resolve({ code: 0, signal: null, oomKilled: false });
      });
      const stop = () => {
        stopped ??= new Promise<void>((resolve) => server.close(() => resolve())).then(() => {
          starter.running--;
          exit();
        });
        return stopped;
      };
      const handle = {
        instanceId: spec.instanceId,
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        pid: process.pid,
        stdout: new PassThrough(),
        stderr: new PassThrough(),
        exited,
        peakMemoryBytes: () => 0,
        resetPeakMemory: () => {},
        stop,
      };
      return { handle, specialize: async () => {} };
    },
  };
  return starter;
}

const generic = {
  command: ['agent'],
  env: { PATH: '/usr/bin' },
  port: 9000,
  memoryMb: 128,
  pidsLimit: 64,
  tmpSizeMb: 64,
};

test('a pool fills to its size, gives each instance once with its own token, refills, and empties under memory pressure', async (t) => {
  const starter = fakeStarter();
  let pressure = false;
  const warnings: string[] = [];
  const pool = new RuntimePool('nodejs20', 2, generic, starter, {
    startTimeoutMs: 5000,
    underPressure: () => pressure,
    warn: (message) => warnings.push(message),
  });
  const taken: Array<{ stop(): Promise<void> }> = [];
  t.after(() => Promise.all(taken.map((handle) => handle.stop())));
  try {
    await until(() => pool.readyCount === 2, { what: 'two ready instances' });
    const a = pool.take();
    const b = pool.take();
    assert.ok(a && b);
    taken.push(a.instance.handle, b.instance.handle);
    assert.notEqual(a.token, b.token);
    assert.notEqual(a.instance.handle.instanceId, b.instance.handle.instanceId);
    assert.equal(starter.started[0]?.env.KUMO_PREWARM_TOKEN, a.token, 'the token is the one the agent got');
    assert.equal(pool.take(), undefined, 'an instance is taken once');
    await until(() => pool.readyCount === 2, { what: 'the pool refilled' });

    pressure = true;
    pool.refill();
    await until(() => pool.readyCount === 0 && starter.running === 2, {
      what: 'idle instances stopped, the taken ones kept',
    });
    assert.equal(starter.started.length, 4, 'nothing started under pressure');
    pressure = false;
    pool.refill();
    await until(() => pool.readyCount === 2, { what: 'refilled once memory is back' });
  } finally {
    await pool.close();
  }
  assert.equal(starter.running, 2, 'close stops the idle instances only (taken ones are their functions’)');
  assert.deepEqual(warnings, []);
});

test('a pool whose starts fail reports them and keeps backing off instead of retrying at once', async () => {
  let attempts = 0;
  const failing: GenericStarter = {
    startGeneric: async () => {
      attempts++;
      throw new Error('no bwrap today');
    },
  };
  const warnings: string[] = [];
  const pool = new RuntimePool('python3.10', 1, generic, failing, {
    startTimeoutMs: 5000,
    underPressure: () => false,
    warn: (message) => warnings.push(message),
  });
  try {
    await until(() => attempts >= 2, { what: 'a second attempt' });
    // Refills during the back-off (1 s, then 2 s …) start nothing (a start would call startGeneric at once).
    const before = attempts;
    for (let i = 0; i < 20; i++) pool.refill();
    assert.equal(attempts, before);
    assert.equal(pool.readyCount, 0);
    assert.match(warnings[0] ?? '', /pre-warming a python3\.10 instance failed: no bwrap today/);
  } finally {
    await pool.close();
  }
});
