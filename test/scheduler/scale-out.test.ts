import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProcStatCpu, ScaleOutPolicy } from '../../src/scheduler/index.js';
import { HOLD_FACTOR, MIN_HOLD_MS } from '../../src/scheduler/scale-out.js';
import { FakeCpu } from './fake-sandbox.js';

const yes = () => true;

describe('scale-out policy: when a call waits for a busy instance instead of starting one', () => {
  it("reads the host CPU from /proc/stat at most once per interval (or Kumo's event loop when busier), and counts an unreadable one as busy", () => {
    let now = 0;
    // user nice system idle iowait irq softirq steal
    let stat = 'cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 50 0 50 400 0 0 0 0 0 0\n';
    let reads = 0;
    let loop = 0;
    const cpu = new ProcStatCpu(
      50,
      () => now,
      () => {
        reads++;
        return stat;
      },
      () => loop,
    );
    assert.equal(reads, 1, 'the first interval starts at construction');
    assert.equal(cpu.busyShare(), 0, 'no tick went by');
    stat = 'cpu  160 0 120 820 0 0 0 0 0 0\n'; // 80 busy ticks of 100
    now = 10;
    assert.equal(cpu.busyShare(), 0, 'within the interval the last share is answered');
    assert.equal(reads, 2);
    now = 60;
    // A moving average of the samples: a quarter of the newest one.
    assert.equal(cpu.busyShare(), 0.2, '0.8 busy');
    stat = 'cpu  160 0 120 900 100 0 0 0 0 0\n'; // idle and iowait only
    now = 120;
    assert.ok(Math.abs(cpu.busyShare() - 0.15) < 1e-9, 'then 0 busy');
    loop = 1; // Kumo's own thread busier than the host's cores
    for (let sample = 0; sample < 12; sample++) {
      now += 60;
      cpu.busyShare();
    }
    assert.ok(cpu.busyShare() > 0.95, 'a saturated event loop counts as a saturated CPU');
    const broken = new ProcStatCpu(
      50,
      () => 0,
      () => {
        throw new Error('ENOENT');
      },
      () => 0,
    );
    assert.equal(broken.busyShare(), 1);
  });

  it('starts that fill the cores wait for each other until the CPU is clearly below saturation', () => {
    const cpu = new FakeCpu(0.8);
    const policy = new ScaleOutPolicy(100, cpu, 2);
    assert.equal(policy.startsSaturate(1), false, 'fewer starts than cores');
    assert.equal(
      policy.startsSaturate(2),
      true,
      'at 0.8, under the 0.85 a hold needs, no room for a third start yet',
    );
    cpu.share = 0.6;
    assert.equal(policy.startsSaturate(2), false, 'room again');
    assert.equal(new ScaleOutPolicy(0, new FakeCpu(1), 2).startsSaturate(5), false, 'the policy off');
  });

  it('counts starts begun in the last 100 ms as saturating, whatever an older CPU sample says', () => {
    let now = 1000;
    const cpu = new FakeCpu(0.2); // sampled before the burst
    const policy = new ScaleOutPolicy(100, cpu, 2, () => now);
    assert.equal(policy.startsSaturate(2), false, 'no start yet: the CPU has room');
    policy.startBegan();
    now += 50;
    assert.equal(policy.startsSaturate(2), true, 'a burst of starts the samples have not seen');
    assert.equal(policy.startsSaturate(1), false, 'fewer starts than cores are always allowed');
    now += 60;
    assert.equal(policy.startsSaturate(2), false, 'seen by now, and the CPU has room');
  });

  it('holds only when busy instances and starts take every core and the CPU is saturated', () => {
    const cpu = new FakeCpu(1);
    const policy = new ScaleOutPolicy(100, cpu, 2);
    assert.equal(policy.holdMs('a', yes, 0), 0, 'no instance busy');
    policy.instanceBusy();
    assert.equal(policy.holdMs('a', yes, 0), 0, 'one busy instance on two cores');
    assert.equal(
      policy.holdMs('a', yes, 1),
      100,
      'one busy and one starting: no call measured yet, the bound',
    );
    policy.instanceBusy();
    assert.equal(
      policy.holdMs('a', () => false, 0),
      0,
      'a pool with no instance of the revision starts at once',
    );
    cpu.share = 0.2;
    assert.equal(policy.holdMs('a', yes, 0), 0, 'the CPU has room: busy instances wait on I/O, start');
    assert.equal(
      policy.holdMs('a', yes, 2),
      100,
      'as many starts under way as cores: wait, whatever the CPU says',
    );
    policy.instanceIdle();
    policy.instanceIdle();
    assert.equal(policy.busyInstances, 0);
    assert.equal(new ScaleOutPolicy(0, new FakeCpu(1), 1).holdMs('a', yes, 5), 0, '0 turns the policy off');
  });

  it('with starts filling the cores, waits a multiple of the pool’s recent call duration, within the minimum and the bound', () => {
    const cpu = new FakeCpu(0.5);
    const policy = new ScaleOutPolicy(1000, cpu, 1);
    policy.instanceBusy();
    policy.callEnded('fast', 0.01);
    assert.equal(policy.holdMs('fast', yes, 1), MIN_HOLD_MS);
    policy.callEnded('mid', 2);
    assert.equal(policy.holdMs('mid', yes, 1), 2 * HOLD_FACTOR);
    for (let i = 0; i < 50; i++) policy.callEnded('mid', 4);
    const drifted = policy.holdMs('mid', yes, 1);
    assert.ok(drifted > 3.9 * HOLD_FACTOR && drifted <= 4 * HOLD_FACTOR, `the average follows: ${drifted}`);
    policy.callEnded('sleepy', 1000);
    assert.equal(policy.holdMs('sleepy', yes, 1), 1000, 'a slow (I/O-bound) call waits at most the bound');
    cpu.share = 1;
    assert.equal(policy.holdMs('fast', yes, 0), 1000, 'a saturated CPU: the bound, however short the calls');
    cpu.share = 0.5;
    policy.forget('mid');
    assert.equal(policy.holdMs('mid', yes, 1), 1000, 'a forgotten pool has no history');
  });
});
