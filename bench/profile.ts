// Where Kumo's own CPU time goes under load: starts Kumo in this process, deploys the hello function, drives it
// with autocannon (in its own process) and records a V8 CPU profile of this process for the measured window.
// Prints the functions with the most self time, the self time by area (Kumo's code, undici, Node.js core,
// syscalls …) with its µs per call (the profiler's own overhead included), and writes the .cpuprofile for
// Chrome DevTools.
//
//   node --import tsx bench/profile.ts [--scenario invoke|http|custom] [--connections 50] [--duration 5]
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuBetween, descendantCpu } from './lib/cpu.js';
import { deployFunction, httpTrigger, signedInvoke, startKumo } from './lib/kumo.js';
import { checkTarget, runLoad, type Target } from './lib/load.js';
import { type ProfileNode, printAreas } from './lib/profile-areas.js';
import { BENCH_DIR, progress } from './lib/util.js';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'invoke' },
    connections: { type: 'string', default: '50' },
    duration: { type: 'string', default: '5' },
    top: { type: 'string', default: '40' },
    // The function's instanceConcurrency (FC's default is 1: one call per instance at a time).
    'instance-concurrency': { type: 'string', default: '1' },
    // Load only, no profiler: for attaching `strace -c` or `perf` from outside.
    'no-profile': { type: 'boolean', default: false },
  },
});

const scenario = values.scenario as 'invoke' | 'http' | 'custom';
const kumo = await startKumo();
const server = kumo.server;
try {
  const custom = scenario === 'custom';
  await deployFunction(kumo.client, {
    service: 'profile',
    name: 'hello',
    runtime: custom ? 'custom' : 'nodejs20',
    handler: scenario === 'http' ? 'index.http' : 'index.handler',
    fixture: custom ? 'hello-custom' : 'hello-node',
    httpTrigger: scenario === 'http',
    instanceConcurrency: Number(values['instance-concurrency']),
  });
  const target =
    scenario === 'http'
      ? httpTrigger(kumo, 'profile', 'hello', 'world')
      : signedInvoke(kumo, 'profile', 'hello', 'world');
  await checkTarget(target, 'Hello, world!');
  const connections = Number(values.connections);
  progress(`warming up ${scenario} at ${connections} connections`);
  await runLoad(target, connections, 3);

  if (values['no-profile']) {
    progress(`pid ${process.pid}: load without the profiler`);
    const instancesBefore = descendantCpu(process.pid, 'autocannon');
    const kumoBefore = process.cpuUsage();
    const result = await runLoad(target, connections, Number(values.duration));
    const kumo = process.cpuUsage(kumoBefore);
    const instances = cpuBetween(instancesBefore, descendantCpu(process.pid, 'autocannon'));
    const calls = result.ok + result.non2xx;
    const perCall = (seconds: number) => `${Math.round((seconds * 1e6) / calls)} µs`;
    console.log(
      `${scenario}, ${connections} connections: ${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(2)} ms, ` +
        `p99 ${result.p99.toFixed(2)} ms, ${server.instanceCount()} instances; ` +
        `CPU per call: Kumo ${perCall((kumo.user + kumo.system) / 1e6)} ` +
        `(user ${perCall(kumo.user / 1e6)}), instances ${perCall(instances)}`,
    );
  } else {
    await profileLoad(target, connections);
  }
} finally {
  await kumo.close();
}

async function profileLoad(target: Target, connections: number): Promise<void> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  const before = process.cpuUsage();
  const result = await runLoad(target, connections, Number(values.duration));
  const cpu = process.cpuUsage(before);
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();

  const file = join(BENCH_DIR, 'results', `profile-${scenario}-${connections}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  console.log(
    `${scenario}, ${connections} connections: ${Math.round(result.rps)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms`,
  );
  printTop(profile.nodes as ProfileNode[], Number(values.top));
  const calls = result.ok + result.non2xx;
  printAreas(profile.nodes as ProfileNode[], (cpu.user + cpu.system) / calls);
  console.log(`profile written to ${file}`);
}

function printTop(nodes: ProfileNode[], top: number): void {
  const total = nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const self = new Map<string, number>();
  for (const node of nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^.*\/(node_modules|src|runtimes)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`;
    self.set(key, (self.get(key) ?? 0) + (node.hitCount ?? 0));
  }
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [key, hits] of rows) console.log(`${((100 * hits) / total).toFixed(1).padStart(5)}%  ${key}`);
}
