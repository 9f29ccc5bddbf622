import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { findBinary } from '../../src/sandbox/exec.js';
import { InstanceFirewall, listFirewallTables } from '../../src/sandbox/firewall.js';
import { BwrapSandbox, probeBwrap } from '../../src/sandbox/index.js';
import { normalizeCidr, parseCidrList } from '../../src/sandbox/network.js';
import { isStaleSlot } from '../../src/sandbox/slot.js';
import { makeCodeDir, serverSpec, startInstance } from '../sandbox/helpers.js';

test('CIDR lists: normalized, bare addresses are /32, bad entries refused', () => {
  assert.deepEqual(parseCidrList(''), []);
  assert.deepEqual(parseCidrList(' 10.1.2.3/8 , 192.168.1.7,172.16.0.0/12'), [
    '10.0.0.0/8',
    '192.168.1.7/32',
    '172.16.0.0/12',
  ]);
  assert.equal(normalizeCidr('0.0.0.0/0'), '0.0.0.0/0');
  for (const bad of ['10.0.0.0/33', '256.1.1.1', '10.0.0/8', 'fe80::1/64', '10.0.0.0/8; drop']) {
    assert.throws(() => normalizeCidr(bad), /not an IPv4 address or CIDR/, bad);
  }
  assert.deepEqual(
    loadConfig({ KUMO_INSTANCE_ALLOWED_CIDRS: '10.9.0.0/16' }).instanceAllowedCidrs,
    '10.9.0.0/16',
  );
  assert.throws(
    () => loadConfig({ KUMO_INSTANCE_ALLOWED_CIDRS: '10.9.0.0/16,} accept' }),
    (error: unknown) => error instanceof ConfigError && /KUMO_INSTANCE_ALLOWED_CIDRS/.test(error.message),
  );
});

test('leftovers: only names of a dead Kumo pid count, never this process or a live one', () => {
  const dead = spawnSync('true').pid ?? 0; // exited and reaped by now
  assert.equal(isStaleSlot(`kumo-${dead}-net-0a1b2c3d4e`), true);
  assert.equal(isStaleSlot(`kumo-${dead}-fw1`), true);
  assert.equal(isStaleSlot(`kumo-${process.pid}-net-0a1b2c3d4e`), false);
  assert.equal(isStaleSlot(`kumo-${process.ppid}-abc`), false);
  for (const other of ['kumo', `kumo-${dead}`, `kumo-${dead}-`, `docker-${dead}-x`, 'kumo-abc-def']) {
    assert.equal(isStaleSlot(other), false, other);
  }
});

test('firewall: one nftables table per sandbox, loaded whole, veths admitted and forgotten, removed on close', async (t) => {
  if (process.getuid?.() !== 0 || !(await findBinary('nft'))) return t.skip('needs root and nft');
  const firewall = await InstanceFirewall.open({
    subnets: ['10.213.0.0/16'],
    allowedCidrs: ['192.168.7.0/24'],
  });
  assert.ok(typeof firewall !== 'string', String(firewall));
  t.after(() => firewall.close());
  assert.match(firewall.table, new RegExp(`^kumo-${process.pid}-fw\\d+$`));
  assert.ok((await listFirewallTables()).includes(firewall.table));
  const set = (name: string) =>
    spawnSync('nft', ['list', 'set', 'inet', firewall.table, name], { encoding: 'utf8' }).stdout;
  await firewall.admit('kvtest000001', true);
  await firewall.admit('kvtest000002', false);
  assert.match(set('instances'), /"kvtest000001"/);
  assert.match(set('instances'), /"kvtest000002"/);
  assert.match(set('internet'), /"kvtest000001"/);
  assert.doesNotMatch(set('internet'), /kvtest000002/);
  assert.match(set('allowed'), /192\.168\.7\.0\/24/);
  assert.match(set('private'), /10\.0\.0\.0\/8/);
  await firewall.forget('kvtest000001', true);
  await firewall.forget('kvtest000002');
  assert.doesNotMatch(set('instances'), /kvtest/);
  await firewall.close();
  assert.equal((await listFirewallTables()).includes(firewall.table), false);
});

test('bwrap: an instance enters the policy sets before it starts and leaves them when it stops', async (t) => {
  const probe = await probeBwrap();
  if (typeof probe === 'string') return t.skip(probe);
  await probe.close();
  const sandbox = new BwrapSandbox({ networkPool: 0 });
  t.after(() => sandbox.close());
  await sandbox.prepare();
  const table = /nftables (kumo-\d+-fw\d+)/.exec(sandbox.reason)?.[1] ?? '';
  assert.match(table, new RegExp(`^kumo-${process.pid}-fw`), sandbox.reason);
  const members = (set: string) => {
    const out = spawnSync('nft', ['list', 'set', 'inet', table, set], { encoding: 'utf8' }).stdout;
    return [...out.matchAll(/"(kv[0-9a-f]+)"/g)].map((m) => m[1]);
  };
  const codeDir = await makeCodeDir(t);
  for (const internetAccess of [true, false]) {
    const { handle } = await startInstance(t, sandbox, serverSpec(codeDir, { internetAccess }));
    assert.equal(members('instances').length, 1);
    assert.equal(members('internet').length, internetAccess ? 1 : 0);
    const netns = readdirSync('/run/netns').find((name) =>
      spawnSync('ip', ['-n', name, '-o', '-4', 'addr', 'show', 'dev', 'eth0'], {
        encoding: 'utf8',
      }).stdout.includes(`inet ${handle.host}/`),
    );
    const routes = spawnSync('ip', ['-n', netns ?? '', 'route'], { encoding: 'utf8' }).stdout;
    assert.equal(/^default via/m.test(routes), internetAccess, routes);
    await handle.stop();
    assert.deepEqual([members('instances'), members('internet')], [[], []]);
  }
  await sandbox.close();
  assert.equal((await listFirewallTables()).includes(table), false);
});
