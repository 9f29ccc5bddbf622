import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionRecord } from '../model/index.js';
import { AGENTS_MOUNT } from './builtin.js';
import { JAVA_ENV } from './environment.js';
import type { RuntimeDefinition } from './registry.js';

/**
 * `java8` and `java11`: the agent in `runtimes/java/` (built by `scripts/setup.d/java.sh` into
 * `runtimes/java/target/`) on this machine's JDK, started as FC's Java bootstrap starts it (SerialGC, heap from
 * the function's memory). Its class path is the agent, fc-java-core and Jackson; the function's code gets a
 * class loader of its own that sees only the JDK and fc-java-core.
 */
const AGENTS_DIR = fileURLToPath(new URL('../../runtimes', import.meta.url));
const TARGET = join(AGENTS_DIR, 'java', 'target');
const INSIDE = `${AGENTS_MOUNT}/java/target`;
/** The agent's jar names the others in its manifest (`Class-Path`), so the JVM gets one path: the process sandbox
 * rewrites whole arguments under /opt/kumo/runtimes, not lists of them. */
const JARS = [
  'kumo-java-agent.jar',
  'lib/fc-java-core.jar',
  'lib/jackson-databind.jar',
  'lib/jackson-core.jar',
];
const JAVA_BINARY = '/usr/bin/java';
/** What replaces a pre-warmed agent's process environment when it becomes a function's (kumo.agent.Prewarm). */
const PREWARM_LIBRARY = 'libkumo-prewarm.so';
const jdkVersion = probeJdk(JAVA_BINARY);

/** FC's heap rule (its emulator's `fc_max_server_heap_size`): nine tenths of the memory, in whole MB steps. */
export const javaHeapMb = (memorySize: number): number => Math.floor(memorySize / 10) * 9;

export const JAVA: RuntimeDefinition = {
  names: ['java8', 'java11'],
  interpreter: jdkVersion ? `OpenJDK ${jdkVersion}` : 'missing',
  mounts: [{ hostPath: AGENTS_DIR, sandboxPath: AGENTS_MOUNT }],
  env: () => JAVA_ENV,
  unavailableReason() {
    if (!jdkVersion) return `${JAVA_BINARY} is missing: install Debian's default-jdk-headless package`;
    const missing = JARS.find((jar) => !existsSync(join(TARGET, jar)));
    if (missing)
      return `the Java agent is not built (${missing}): run scripts/setup.sh or scripts/setup.d/java.sh`;
    return undefined;
  },
  prewarmUnavailableReason() {
    if (existsSync(join(TARGET, PREWARM_LIBRARY))) return undefined;
    return `${PREWARM_LIBRARY} is not built (it needs a C compiler): run scripts/setup.d/java.sh`;
  },
  substitution(runtime) {
    const wanted = runtime === 'java8' ? '1.8' : '11';
    if (!jdkVersion || jdkVersion.startsWith(`${wanted}.`)) return undefined;
    return (
      `${runtime} runs on OpenJDK ${jdkVersion}: class files compiled for Java ${wanted} run unchanged, but code ` +
      `that needs an API removed since Java ${wanted} (such as ${runtime === 'java8' ? 'javax.xml.bind or Nashorn' : 'Nashorn'}) fails`
    );
  },
  command: (fn: FunctionRecord) => [
    JAVA_BINARY,
    `-Xmx${javaHeapMb(fn.memorySize)}m`,
    '-Xms10m',
    '-XX:+UseSerialGC',
    // Measured in bench/java-cold-start.ts: C1 only, and the agent's classes from the AppCDS archive that
    // scripts/setup.d/java.sh writes for the path the sandbox shows. Where the archive does not fit (no bwrap:
    // the agent runs from its host path) the JVM starts without it, silently.
    '-XX:TieredStopAtLevel=1',
    '-Xshare:auto',
    `-XX:SharedArchiveFile=${INSIDE}/agent.jsa`,
    '-Xlog:cds=off,cds+dynamic=off',
    '-Dfile.encoding=UTF-8',
    '-Dsun.jnu.encoding=UTF-8',
    // Keep Kumo's idle connections for an hour, as FC's own Java agent does (the JDK closes them after 30 s).
    '-Dsun.net.httpserver.idleInterval=3600',
    // TCP_NODELAY on Kumo's connections: the JDK's server writes an answer's head and body apart, and on a reused
    // connection Nagle's algorithm then holds the body for the client's delayed ACK (about 40 ms per call).
    '-Dsun.net.httpserver.nodelay=true',
    '-cp',
    `${INSIDE}/kumo-java-agent.jar`,
    'kumo.agent.Agent',
  ],
};

/** The JDK's version from its `release` file (no JVM start), or undefined without a JDK. */
function probeJdk(binary: string): string | undefined {
  try {
    const home = dirname(dirname(realpathSync(binary)));
    const release = readFileSync(join(home, 'release'), 'utf8');
    return /^JAVA_VERSION="([^"]+)"/m.exec(release)?.[1];
  } catch {
    return undefined;
  }
}
