import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectiveTarget, lastFire } from '../../src/invoke/provision-target.js';
import { type ProvisionConfig, TRACKED_METRIC } from '../../src/model/index.js';

const NOW = new Date('2026-12-01T10:30:00Z');

const config = (overrides: Partial<ProvisionConfig> = {}): ProvisionConfig => ({
  serviceName: 's',
  qualifier: 'prod',
  functionName: 'f',
  target: 2,
  scheduledActions: [],
  targetTrackingPolicies: [],
  alwaysAllocateCPU: true,
  lastModifiedTime: '',
  ...overrides,
});

const idle = { current: 0, utilization: 0 };

describe('provision target', () => {
  it('is the configured target without policies', () => {
    assert.equal(effectiveTarget(config(), NOW, idle), 2);
  });

  it('a cron action fires at its last matching time (UTC, seconds first); an at() action once', () => {
    const daily = { name: 'd', target: 5, scheduleExpression: 'cron(0 0 10 * * *)' };
    assert.deepEqual(lastFire(daily, NOW), new Date('2026-12-01T10:00:00Z'));
    const later = { name: 'l', target: 5, scheduleExpression: 'at(2026-12-01T11:00:00Z)' };
    assert.equal(lastFire(later, NOW), undefined, 'not yet');
    const before = { name: 'b', target: 5, scheduleExpression: 'at(2026-12-01T09:00:00Z)' };
    assert.deepEqual(lastFire(before, NOW), new Date('2026-12-01T09:00:00Z'));
  });

  it('the latest fired action in its window wins; an action outside its window does nothing', () => {
    const actions = [
      { name: 'morning', target: 5, scheduleExpression: 'cron(0 0 8 * * *)' },
      { name: 'ten', target: 1, scheduleExpression: 'cron(0 0 10 * * *)' },
      {
        name: 'expired',
        target: 9,
        scheduleExpression: 'cron(0 15 10 * * *)',
        endTime: '2026-11-30T00:00:00Z',
      },
      {
        name: 'future',
        target: 9,
        scheduleExpression: 'cron(0 20 10 * * *)',
        startTime: '2026-12-02T00:00:00Z',
      },
    ];
    assert.equal(effectiveTarget(config({ scheduledActions: actions }), NOW, idle), 1);
  });

  it('target tracking follows utilisation within min and max', () => {
    const policy = {
      name: 'p',
      metricType: TRACKED_METRIC,
      metricTarget: 0.5,
      minCapacity: 1,
      maxCapacity: 6,
    };
    const tracked = config({ targetTrackingPolicies: [policy] });
    assert.equal(effectiveTarget(tracked, NOW, idle), 1, 'nothing running: the minimum');
    assert.equal(effectiveTarget(tracked, NOW, { current: 2, utilization: 1 }), 4, 'full: double');
    assert.equal(effectiveTarget(tracked, NOW, { current: 4, utilization: 0.25 }), 2, 'quiet: shrink');
    assert.equal(effectiveTarget(tracked, NOW, { current: 6, utilization: 1 }), 6, 'capped at the maximum');
  });

  it('with several policies in effect the largest wins', () => {
    const both = config({
      scheduledActions: [{ name: 'a', target: 3, scheduleExpression: 'at(2026-12-01T09:00:00Z)' }],
      targetTrackingPolicies: [
        { name: 'p', metricType: TRACKED_METRIC, metricTarget: 0.5, minCapacity: 0, maxCapacity: 10 },
      ],
    });
    assert.equal(effectiveTarget(both, NOW, idle), 3);
    assert.equal(effectiveTarget(both, NOW, { current: 3, utilization: 1 }), 6);
  });
});
