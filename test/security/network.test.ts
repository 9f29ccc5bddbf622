import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { probeBwrap } from '../../src/sandbox/index.js';
import { startTestServer } from '../helpers/server.js';
import { canConnect } from '../sandbox/helpers.js';
import {
  deployProbe,
  hostAddresses,
  linkLocalOf,
  offset,
  openListener,
  probe,
  type Target,
} from './network-helpers.js';

const bwrap = await probeBwrap();
const unavailable = typeof bwrap === 'string' ? `bwrap cannot work here: ${bwrap}` : undefined;
if (typeof bwrap !== 'string') await bwrap.close();

const PUBLIC: Target = { host: '1.1.1.1', port: 80 };
const internetHere = await canConnect(PUBLIC.host, PUBLIC.port);

/** Run by `node -e` as another user: connects to argv host:port and prints `connected` or the error code. */
const CONNECT = `const s = require('node:net').connect(+process.argv[2], process.argv[1]);
s.on('connect', () => { console.log('connected'); s.destroy(); });
s.on('error', (e) => console.log(e.code));`;

const unique = (targets: Target[]): Target[] => [
  ...new Map(targets.map((target) => [`${target.host}:${target.port}`, target])).values(),
];

/** Asserts that no target opened, naming the ones that did. */
function assertNoneOpened(results: Record<string, string>, expected: number): void {
  assert.equal(Object.keys(results).length, expected, 'every target was tried');
  const opened = Object.entries(results).filter(([, outcome]) => outcome === 'connected');
  assert.deepEqual(opened, [], `a hostile instance opened: ${JSON.stringify(results)}`);
}

describe('network policy of bwrap instances (a hostile function through the real server)', {
  skip: unavailable ?? false,
}, () => {
  test('no other instance, no host listener, no management API on 0.0.0.0; normal calls still work', async (t) => {
    const { server, fc } = await startTestServer(t, { host: '0.0.0.0' });
    const listener = await openListener(t);
    await deployProbe(fc, 'victim');
    await deployProbe(fc, 'attacker');
    const victim = await probe(fc, 'victim', []);
    const self = (await probe(fc, 'attacker', [])).ip;
    assert.match(victim.ip, /^\d+\.\d+\.\d+\.\d+$/);
    assert.notEqual(victim.ip, self);

    const hostSides = [offset(self, -1), offset(victim.ip, -1)];
    const hostTargets = [...hostSides, ...hostAddresses()].flatMap((host) => [
      { host, port: listener.port },
      { host, port: server.port },
    ]);
    // The other service's instance (Kumo's own port: forged X-Fc-* headers would skip Kumo's auth) and the
    // instances or pooled networks in the neighbouring /30 blocks.
    const instanceTargets = [victim.ip, ...[-8, -4, 4, 8].map((d) => offset(self, d))].map((host) => ({
      host,
      port: 9000,
    }));
    // Controls: from the host, the listener, the API and the victim answer on exactly these addresses.
    for (const target of [...hostTargets, { host: victim.ip, port: 9000 }]) {
      assert.ok(await canConnect(target.host, target.port), `the host reaches ${target.host}:${target.port}`);
    }
    const before = listener.accepted();

    // IPv6: a service on `::` answers on the host side's link-local address of every veth.
    const listener6 = await openListener(t, '::');
    const linkLocal = await linkLocalOf(self);
    const ipv6Targets = linkLocal ? [{ host: `${linkLocal}%eth0`, port: listener6.port }] : [];
    if (!linkLocal) t.diagnostic('IPv6 is off here: the link-local path is not checked');
    const targets = unique([...hostTargets, ...instanceTargets, ...ipv6Targets]);
    const report = await probe(fc, 'attacker', targets);
    assert.equal(report.ip, self, 'the same instance answered');
    t.diagnostic(`outcomes: ${JSON.stringify(report.results)}`);
    assertNoneOpened(report.results, targets.length);
    for (const target of hostTargets) {
      // Refused at once by the policy (a TCP reset; the port is open, see the controls), not left to time out.
      assert.equal(report.results[`${target.host}:${target.port}`], 'ECONNREFUSED');
    }
    assert.equal(listener.accepted(), before, 'the listener saw no connection from an instance');
    assert.equal(listener6.accepted(), 0, 'nor the IPv6 one');

    // On the host, only Kumo's user may open a connection into an instance: not another local user.
    const asNobody = spawnSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        '-e',
        CONNECT,
        victim.ip,
        '9000',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(asNobody.stdout.trim(), 'ECONNREFUSED', asNobody.stderr);
    const asKumo = spawnSync(process.execPath, ['-e', CONNECT, victim.ip, '9000'], { encoding: 'utf8' });
    assert.equal(asKumo.stdout.trim(), 'connected', asKumo.stderr);

    const again = await probe(fc, 'victim', []);
    assert.equal(again.ip, victim.ip, 'the victim still answers its own calls');
  });

  test('internetAccess false: no default route, a public address fails at once; true: routed', async (t) => {
    const { fc } = await startTestServer(t);
    await deployProbe(fc, 'offline', { internetAccess: false });
    await deployProbe(fc, 'online', { internetAccess: true });
    const offline = await probe(fc, 'offline', [PUBLIC, { host: '8.8.8.8', port: 53 }]);
    assert.equal(offline.defaultRoute, false);
    assert.deepEqual(offline.results, { '1.1.1.1:80': 'ENETUNREACH', '8.8.8.8:53': 'ENETUNREACH' });

    const online = await probe(fc, 'online', [PUBLIC, { host: '192.168.1.1', port: 80 }]);
    assert.equal(online.defaultRoute, true);
    assert.equal(online.results['192.168.1.1:80'], 'ECONNREFUSED', 'private ranges stay closed');
    // Reaching the internet can only be checked where this machine reaches it.
    if (internetHere) assert.equal(online.results['1.1.1.1:80'], 'connected');
    else t.diagnostic('no internet from this machine: the online connection itself is not checked');
  });

  test('KUMO_INSTANCE_ALLOWED_CIDRS opens the listed address and nothing else', async (t) => {
    const [address] = hostAddresses();
    if (!address) return t.skip('the host has no address besides loopback');
    const { fc } = await startTestServer(t, { instanceAllowedCidrs: `${address}/32` });
    const listener = await openListener(t);
    await deployProbe(fc, 'allowed');
    await deployProbe(fc, 'allowed-offline', { internetAccess: false });
    const self = (await probe(fc, 'allowed', [])).ip;
    const targets = [
      { host: address, port: listener.port },
      { host: offset(self, -1), port: listener.port },
    ];
    const report = await probe(fc, 'allowed', targets);
    assert.deepEqual(report.results, {
      [`${address}:${listener.port}`]: 'connected',
      [`${offset(self, -1)}:${listener.port}`]: 'ECONNREFUSED',
    });
    // Without internet access the instance still gets a route to the allowed range, and only to it.
    const offline = await probe(fc, 'allowed-offline', [{ host: address, port: listener.port }, PUBLIC]);
    assert.equal(offline.defaultRoute, false);
    assert.deepEqual(offline.results, {
      [`${address}:${listener.port}`]: 'connected',
      '1.1.1.1:80': 'ENETUNREACH',
    });
    assert.equal(listener.accepted(), 2);
  });
});
