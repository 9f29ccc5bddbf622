import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRuntimeRegistry } from '../../src/runtimes/index.js';
import { compileJava, jarDirectory, javaSources, zipAndRemove } from '../helpers/java.js';
import { until } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * The Java runtime as FC users deploy it: code compiled with javac against the real fc-java-core, packaged as
 * a plain jar, as a zip of classes with `lib/*.jar`, or as a Maven-shaded fat jar; FC's own errors; hostile code.
 */
const FIXTURES = new URL('../fixtures/java/', import.meta.url).pathname;
const SHADED_JAR = new URL('../../examples/java-event/target/java-event.jar', import.meta.url).pathname;

interface Packages {
  /** A plain jar of the app/ and hostile/ classes (its own lib jar not inside). */
  jar: string;
  /** The same classes unpacked, with lib/greeting.jar. */
  zip: string;
}

/** Compiled once for the whole file: lib/greeting.jar, then the handlers against it and fc-java-core. */
const packages: Promise<Packages> = (async () => {
  const work = mkdtempSync(join(tmpdir(), 'kumo-java-e2e-'));
  const libClasses = await compileJava(javaSources(join(FIXTURES, 'lib')));
  const greetingJar = await jarDirectory(libClasses, join(work, 'greeting.jar'));
  rmSync(libClasses, { recursive: true, force: true });
  const classes = await compileJava(
    [...javaSources(join(FIXTURES, 'app')), ...javaSources(join(FIXTURES, 'hostile'))],
    '11',
    [greetingJar],
  );
  const jar = readFileSync(await jarDirectory(classes, join(work, 'app.jar'))).toString('base64');
  mkdirSync(join(classes, 'lib'));
  cpSync(greetingJar, join(classes, 'lib', 'greeting.jar'));
  const zip = await zipAndRemove(classes);
  rmSync(work, { recursive: true, force: true });
  return { jar, zip };
})();

async function deploy(kumo: TestServer, name: string, handler: string, zipFile: string, extra = {}) {
  await kumo.fc.createFunction('java', {
    functionName: name,
    runtime: 'java11',
    handler,
    memorySize: 256,
    timeout: 10,
    code: { zipFile },
    ...extra,
  });
}

async function invoke(kumo: TestServer, name: string, event: string) {
  const response = await kumo.client.send('POST', `/services/java/functions/${name}/invocations`, event);
  const text = response.body.toString();
  return { text, errorType: response.headers['x-fc-error-type'], error: () => JSON.parse(text) };
}

async function server(t: import('node:test').TestContext): Promise<TestServer> {
  const kumo = await startTestServer(t);
  await kumo.fc.createService('java');
  return kumo;
}

test('a jar compiled with javac against fc-java-core deploys with the fc2 SDK; a POJO handler round-trips JSON', async (t) => {
  const kumo = await server(t);
  const { jar } = await packages;
  await deploy(kumo, 'hello', 'app.Hello::handleRequest', jar);
  const hello = await kumo.fc.invokeFunction('java', 'hello', 'kumo');
  assert.equal(hello.data, 'hello, kumo');

  await deploy(kumo, 'order', 'app.Order::handleRequest', jar);
  const order = {
    customer: 'ada',
    items: [
      { sku: 'tea', quantity: 2, price: 1.5 },
      { sku: 'cake', quantity: 1, price: 4 },
    ],
    tags: { channel: 'web' },
    unknownField: 'ignored, as FC ignores unknown properties',
  };
  const receipt = await kumo.fc.invokeFunction('java', 'order', JSON.stringify(order));
  assert.deepEqual(JSON.parse(String(receipt.data)), {
    customer: 'ada',
    total: 7,
    skus: ['tea', 'cake'],
    tags: { channel: 'web' },
    requestId: receipt.headers['x-fc-request-id'],
  });

  const notJson = await invoke(kumo, 'order', 'not json');
  assert.equal(notJson.errorType, 'UnhandledInvocationError');
  assert.equal(notJson.error().errorType, 'java.lang.IllegalArgumentException');
  assert.match(
    notJson.error().errorMessage,
    /^An error occurred during JSON parsing input.*app\.Order\$Request/,
  );
});

test('a zip of .class files and lib/*.jar runs, and the agent’s own libraries stay hidden from it', async (t) => {
  const kumo = await server(t);
  await deploy(kumo, 'lib', 'app.UsesLib::handleRequest', (await packages).zip);
  const result = await invoke(kumo, 'lib', 'kumo');
  assert.equal(result.text, 'greetings, kumo (from lib/greeting.jar); jackson hidden; agent hidden');
});

test('a Maven-shaded fat jar that bundles its own fc-java-core runs (examples/java-event)', async (t) => {
  assert.ok(existsSync(SHADED_JAR), `${SHADED_JAR} is built by scripts/setup.d/java.sh`);
  const entries = execFileSync('jar', ['--list', '--file', SHADED_JAR], { encoding: 'utf8' });
  assert.match(
    entries,
    /^com\/aliyun\/fc\/runtime\/StreamRequestHandler\.class$/m,
    'fc-java-core is bundled',
  );
  const kumo = await server(t);
  await deploy(kumo, 'shaded', 'example.App::handleRequest', readFileSync(SHADED_JAR).toString('base64'));
  const result = await kumo.fc.invokeFunction('java', 'shaded', JSON.stringify({ name: 'kumo' }));
  assert.match(String(result.data), /hello, kumo/i);
});

test('FC’s errors: missing class, no FC interface, a bad handler name, an initializer that throws', async (t) => {
  const kumo = await server(t);
  const { jar } = await packages;
  const cases: [string, string, RegExp][] = [
    ['missing', 'app.Missing::handleRequest', /^Cannot find the class app\.Missing in your zip file/],
    [
      'plain',
      'app.NotAHandler::handleRequest',
      /^The Handler 'handleRequest' is not implemented in class 'app\.NotAHandler'$/,
    ],
    ['badname', 'app.Hello', /^Handler 'app\.Hello' must contain one and only one '::'$/],
  ];
  for (const [name, handler] of cases) await deploy(kumo, name, handler, jar);
  for (const [name, , message] of cases) {
    const result = await invoke(kumo, name, '');
    assert.equal(result.errorType, 'UnhandledInvocationError', name);
    assert.equal(result.error().errorType, 'java.lang.IllegalArgumentException', name);
    assert.match(result.error().errorMessage, message);
  }

  await deploy(kumo, 'badinit', 'app.Hello::handleRequest', jar, { initializer: 'app.BadInit::initialize' });
  for (const attempt of [1, 2]) {
    const result = await invoke(kumo, 'badinit', '');
    assert.ok(result.errorType, `attempt ${attempt} fails`);
    assert.equal(result.error().errorType, 'java.io.IOException');
    assert.equal(result.error().errorMessage, 'cannot reach the database');
    assert.ok(result.error().stackTrace.some((f: string) => f.startsWith('app.BadInit.initialize(')));
  }
});

test('hostile code: System.exit, a thread that outlives its call, a busy loop, memory exhaustion', async (t) => {
  const kumo = await server(t);
  const { jar } = await packages;
  await deploy(kumo, 'exit', 'hostile.Exit::handleRequest', jar);
  await deploy(kumo, 'straggler', 'hostile.Straggler::handleRequest', jar);
  await deploy(kumo, 'spin', 'hostile.Spin::handleRequest', jar, { timeout: 2 });
  await deploy(kumo, 'hog', 'hostile.Hog::handleRequest', jar, { memorySize: 128, timeout: 30 });

  const exit = await invoke(kumo, 'exit', '');
  assert.equal(exit.errorType, 'UnhandledInvocationError');
  assert.match(exit.error().errorMessage, /^Process exited unexpectedly before completing request/);

  assert.equal((await invoke(kumo, 'straggler', '')).text, '0', 'the call returns while its thread runs on');
  await until(async () => Number((await invoke(kumo, 'straggler', '')).text) > 0, {
    what: 'the next call on the same instance sees the straggling thread counting',
  });

  const spin = await invoke(kumo, 'spin', '');
  assert.match(spin.error().errorMessage, /^Function timed out after 2 seconds/);

  // The heap is capped at 9/10 of memorySize (FC's rule), so the JVM throws OutOfMemoryError; if the JVM's other
  // memory pushes the instance over the cgroup limit first, the kernel ends it: either way the call fails.
  const hog = await invoke(kumo, 'hog', '');
  assert.equal(hog.errorType, 'UnhandledInvocationError');
  const { errorType, errorMessage } = hog.error();
  assert.ok(
    errorType === 'java.lang.OutOfMemoryError' || /^Process exited unexpectedly/.test(errorMessage),
    hog.text,
  );
  assert.equal((await invoke(kumo, 'straggler', '')).errorType, undefined, 'other functions are unharmed');
});

test('java8 and java11 say openly that they run on this machine’s JDK', () => {
  const registry = createRuntimeRegistry();
  for (const runtime of ['java8', 'java11']) {
    registry.check(runtime);
    assert.match(
      registry.resolve(runtime).substitution?.(runtime) ?? '',
      new RegExp(`^${runtime} runs on OpenJDK 17`),
    );
  }
});
