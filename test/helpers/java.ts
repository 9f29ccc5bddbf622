import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { zipDirectory } from '../../src/code/index.js';

const run = promisify(execFile);

/** fc-java-core from the local Maven repository (fetched by scripts/setup.d/java.sh's build of the agent). */
export const FC_JAVA_CORE = join(
  homedir(),
  '.m2/repository/com/aliyun/fc/runtime/fc-java-core/1.4.1/fc-java-core-1.4.1.jar',
);

/** Every `.java` file under `dir`. */
export function javaSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return javaSources(path);
    return name.endsWith('.java') ? [path] : [];
  });
}

/** Compiles `sources` with javac against fc-java-core (plus `classPath`) into a new folder, returned. */
export async function compileJava(
  sources: string[],
  release = '11',
  classPath: string[] = [],
): Promise<string> {
  if (!existsSync(FC_JAVA_CORE)) throw new Error(`${FC_JAVA_CORE} is missing: run scripts/setup.d/java.sh`);
  const out = mkdtempSync(join(tmpdir(), 'kumo-javac-'));
  await run('javac', [
    '--release',
    release,
    '-nowarn',
    '-encoding',
    'UTF-8',
    '-cp',
    [FC_JAVA_CORE, ...classPath].join(':'),
    '-d',
    out,
    ...sources,
  ]);
  return out;
}

/** Packs a folder as a jar with the JDK's `jar` tool; returns the jar's path. */
export async function jarDirectory(dir: string, jarPath: string): Promise<string> {
  await run('jar', ['--create', '--file', jarPath, '-C', dir, '.']);
  return jarPath;
}

/** A folder zipped as a base64 code package (what `code.zipFile` takes); the folder is removed. */
export async function zipAndRemove(dir: string): Promise<string> {
  try {
    return (await zipDirectory(dir)).toString('base64');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * FC's handler syntax for the conformance table's `file.function` names: `file.Function::handleRequest`
 * (`::initialize` for the initializer), one class per handler under the package `file`.
 */
const INITIALIZERS = new Set(['initializer', 'initfail']);

export function javaHandler(name: string): string {
  const [file = '', fn = ''] = name.split('.');
  const method = INITIALIZERS.has(fn) ? 'initialize' : 'handleRequest';
  return `${file}.${fn.charAt(0).toUpperCase()}${fn.slice(1)}::${method}`;
}

/** The Java fixtures compiled once per test process (javac is slow to start). */
let conformancePackage: Promise<string> | undefined;

/** The `java11` row of test/runtimes/conformance-table.ts (fixtures in test/fixtures/runtimes/java/). */
export const JAVA_CONFORMANCE = {
  runtime: 'java11',
  family: 'java',
  pack(fixtureDir: string): Promise<string> {
    conformancePackage ??= compileJava(javaSources(fixtureDir)).then(zipAndRemove);
    return conformancePackage;
  },
  handler: javaHandler,
  skip: [
    {
      reason: "FC's Java handlers have no callback and no promise: every exception is unhandled",
      tests: ['handled error', 'rejected promise', 'async handler result'],
    },
    {
      reason:
        "FC's Java logger (FunctionComputeLogger) writes one entry per line and has no Node-style log/setLogLevel pair",
      tests: ['multi-line message is one log entry', 'context.logger levels'],
    },
    {
      reason: "Java has no event loop: a handler's threads run on after it returns",
      tests: ['waitsForEmptyEventLoopBeforeCallback holds the next call'],
    },
    {
      reason: "FC gives Java HTTP functions servlet request/response objects, not Node's objects",
      tests: ['HTTP request.body and stream', 'HTTP response refuses what FC refuses'],
    },
    {
      reason: 'Java code is compiled before it is deployed: FC has no syntax error at load time',
      tests: ['syntax error'],
    },
    {
      reason:
        "FC's Java runtime reports load failures as java.lang.IllegalArgumentException or the JVM's own error " +
        '(test/runtimes/java.test.ts checks those)',
      tests: ['missing dependency', 'missing handler'],
    },
  ],
};
