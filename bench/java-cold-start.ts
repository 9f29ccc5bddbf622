// Java cold start: the agent's JVM started with the flags Kumo could use, and a java11 function's first call
// through Kumo, beside a bare `java -version`. Prints figures and ratios.
//   node --import tsx bench/java-cold-start.ts [--repeats 10]
// Needs the agent built (scripts/setup.d/java.sh). Each variant starts the JVM as an instance would (code in a
// folder, FC_SERVER_PORT) and times spawn → first answered POST /invoke of bench/fixtures/hello-java.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { zipDirectory } from '../src/code/index.js';
import { javaHeapMb } from '../src/runtimes/java.js';
import { deleteFunction, ensureService, invokeOnce, startKumo } from './lib/kumo.js';
import { BENCH_DIR, progress, type Summary, summarize } from './lib/util.js';

const { values: args } = parseArgs({ options: { repeats: { type: 'string', default: '10' } } });
const REPEATS = Number(args.repeats);
const TARGET = new URL('../runtimes/java/target/', import.meta.url).pathname;
const JARS = [
  'kumo-java-agent.jar',
  'lib/fc-java-core.jar',
  'lib/jackson-databind.jar',
  'lib/jackson-core.jar',
];
const CLASS_PATH = [...JARS, 'lib/jackson-annotations.jar'].map((jar) => join(TARGET, jar)).join(':');
const work = mkdtempSync(join(tmpdir(), 'kumo-java-bench-'));
const code = join(work, 'code');
execFileSync('javac', [
  '--release',
  '11',
  '-cp',
  join(TARGET, 'lib/fc-java-core.jar'),
  '-d',
  code,
  join(BENCH_DIR, 'fixtures/hello-java/example/Hello.java'),
]);

/** `java -version`: the JVM alone, the floor any Java runtime stands on. */
function bareJava(): number[] {
  spawnSync('java', ['-version']);
  return Array.from({ length: REPEATS }, () => {
    const started = performance.now();
    spawnSync('java', ['-version']);
    return performance.now() - started;
  });
}

let port = 19400 + (process.pid % 500);

/** CPU time (user + system, all threads) the process has used so far, ms (10 ms ticks). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface Start {
  wall: number;
  cpu: number;
}

/**
 * Spawn → first answered invoke of the agent started with `flags`: wall time, and the JVM's CPU time by then
 * (steadier than wall time on a busy machine). `stop` ends it (SIGTERM lets it write a CDS archive).
 */
async function agentStart(flags: string[], stop: NodeJS.Signals = 'SIGKILL'): Promise<Start> {
  port++;
  const started = performance.now();
  const child = spawn(
    'java',
    [...flags, `-Dfc.func.code.path=${code}`, '-cp', CLASS_PATH, 'kumo.agent.Agent'],
    {
      env: { ...process.env, FC_SERVER_PORT: String(port) },
      stdio: 'ignore',
    },
  );
  try {
    for (;;) {
      try {
        const response = await request(`http://127.0.0.1:${port}/invoke`, {
          method: 'POST',
          headers: {
            'x-fc-control-path': '/invoke',
            'x-fc-function-handler': 'example.Hello::handleRequest',
          },
          body: 'world',
        });
        const text = await response.body.text();
        if (text !== 'Hello, world!') throw new Error(`unexpected answer: ${text}`);
        return { wall: performance.now() - started, cpu: cpuMs(child.pid ?? 0) };
      } catch (error) {
        if (!(error instanceof Error) || !/ECONNREFUSED/.test(`${error.message}${String(error.cause)}`))
          throw error;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }
  } finally {
    child.kill(stop);
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

const heap = [`-Xmx${javaHeapMb(512)}m`, '-Xms10m'];
const archive = join(work, 'agent.jsa');
progress('java: dumping an AppCDS archive of the agent (one training start)');
const dumpFlags = [...heap, '-XX:+UseSerialGC', `-XX:ArchiveClassesAtExit=${archive}`];
await agentStart(dumpFlags, 'SIGTERM');
if (!existsSync(archive)) throw new Error(`no CDS archive was written at ${archive}`);

const rows: [string, Summary, Summary?][] = [];
progress(`java: bare java -version, ${REPEATS} runs`);
const bare = summarize(bareJava());
rows.push(['bare `java -version`', bare]);
const variants: [string, string[]][] = [
  ['agent, FC flags (SerialGC, JDK CDS)', [...heap, '-XX:+UseSerialGC', '-Xshare:auto']],
  ['agent, FC flags, -Xshare:off', [...heap, '-XX:+UseSerialGC', '-Xshare:off']],
  ['agent, FC flags + TieredStopAtLevel=1 (Kumo)', [...heap, '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1']],
  ['agent, FC flags + AppCDS archive', [...heap, '-XX:+UseSerialGC', `-XX:SharedArchiveFile=${archive}`]],
  [
    'agent, FC flags + AppCDS + TieredStopAtLevel=1',
    [...heap, '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', `-XX:SharedArchiveFile=${archive}`],
  ],
  ['agent, G1 (JDK default GC)', [...heap]],
];
// Round robin, so a burst of load elsewhere on the machine hits every variant alike.
const starts = variants.map((): Start[] => []);
for (const [, flags] of variants) await agentStart(flags); // unmeasured: page cache
for (let i = 0; i < REPEATS; i++) {
  progress(`java: round ${i + 1}/${REPEATS} of ${variants.length} agent starts`);
  for (const [n, [, flags]] of variants.entries()) starts[n]?.push(await agentStart(flags));
}
for (const [n, [label]] of variants.entries()) {
  const samples = starts[n] ?? [];
  rows.push([label, summarize(samples.map((s) => s.wall)), summarize(samples.map((s) => s.cpu))]);
}

progress(`java: Kumo java11 first call of a fresh function, ${REPEATS} functions`);
const kumo = await startKumo();
try {
  await ensureService(kumo.client, 'javacold');
  const zipFile = (await zipDirectory(code)).toString('base64');
  const cold: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const name = `hello_${i}`;
    await kumo.client.json('POST', '/services/javacold/functions', {
      functionName: name,
      runtime: 'java11',
      handler: 'example.Hello::handleRequest',
      memorySize: 512,
      timeout: 10,
      code: { zipFile },
    });
    const started = performance.now();
    await invokeOnce(kumo.client, 'javacold', name, 'world');
    cold.push(performance.now() - started);
    await deleteFunction(kumo.client, 'javacold', name);
  }
  rows.push([`Kumo java11 cold start (${kumo.server.sandbox.kind} sandbox)`, summarize(cold)]);
} finally {
  await kumo.close();
  rmSync(work, { recursive: true, force: true });
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
console.log(
  `| Java cold start (${REPEATS} runs) | wall median | wall p90 | × bare java -version | JVM CPU median |`,
);
console.log('|---|---|---|---|---|');
for (const [label, wall, cpu] of rows) {
  const ratio = (wall.median / bare.median).toFixed(2);
  console.log(
    `| ${label} | ${ms(wall.median)} | ${ms(wall.p90)} | ${ratio}× | ${cpu ? ms(cpu.median) : '–'} |`,
  );
}
