import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { zipFiles } from '../helpers/code.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** One row of the conformance table: a runtime, its fixtures, and what FC's runtime of that name does. */
export interface RuntimeUnderTest {
  runtime: string;
  family: string;
  skip?: { reason: string; tests: string[] }[];
  /** Builds the fixture folder into a base64 code zip, for compiled languages; default: zips the folder. */
  pack?(fixtureDir: string): Promise<string>;
  /** FC's `errorType` of an unhandled error of type `name` (FC's nodejs ≤ 16 prefix it); default `name`. */
  unhandledType?(name: string): string;
  /** The level label of `context.logger.info` / the language logger's info lines; default `INFO`. */
  infoLabel?: string;
  /** FC's nodejs ≤ 16: an async handler's resolved value does not end the call (only `callback` does). */
  asyncResultIgnored?: boolean;
  /** The level label of `console.log` and `context.logger.log` lines (FC: `verbose` on nodejs ≤ 16). */
  logLabel?: string;
  /**
   * The runtime's spelling of the table's `file.function` handlers (Java: `file.Function::method`; PHP renames
   * the ones it cannot name, such as `echo`).
   */
  handler?(name: string): string;
  /** FC's own errorType where it differs by language (default: the Node/Python names the table asserts). */
  errorTypes?: { syntax?: string; missingDependency?: string; missingHandler?: string };
  /** For SDKs that encode answers / frame log lines their own way (default: UTF-8 text; FC's log line). */
  answerText?(body: Buffer): string;
  logLine?(requestId: string, message: string): RegExp;
}

function readTree(dir: string, prefix = ''): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) Object.assign(files, readTree(path, `${prefix}${name}/`));
    else files[`${prefix}${name}`] = readFileSync(path, 'utf8');
  }
  return files;
}

export interface Harness {
  kumo: TestServer;
  deploy(name: string, handler: string, extra?: Record<string, unknown>): Promise<void>;
  invoke(
    fn: string,
    event: string | Buffer,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer; logs: string }>;
}

export async function harness(t: TestContext, rt: RuntimeUnderTest): Promise<Harness> {
  const kumo = await startTestServer(t);
  const fixtureDir = new URL(`../fixtures/runtimes/${rt.family}`, import.meta.url).pathname;
  const zipFile = rt.pack ? await rt.pack(fixtureDir) : await zipFiles(readTree(fixtureDir));
  await kumo.fc.createService('conf');
  return {
    kumo,
    deploy: async (name, handler, extra = {}) => {
      await kumo.fc.createFunction('conf', {
        functionName: name,
        runtime: rt.runtime,
        handler: spellHandler(rt, handler),
        memorySize: 256,
        timeout: 7,
        code: { zipFile },
        ...extra,
        ...(typeof extra.initializer === 'string' && { initializer: spellHandler(rt, extra.initializer) }),
      });
    },
    invoke: async (fn, event) => {
      const response = await kumo.client.send('POST', `/services/conf/functions/${fn}/invocations`, event, {
        'x-fc-log-type': 'Tail',
      });
      return {
        ...response,
        logs: Buffer.from(response.headers['x-fc-log-result'] ?? '', 'base64').toString(),
      };
    },
  };
}

/** A handler name of the table as the runtime spells it. */
export const spellHandler = (rt: RuntimeUnderTest, name: string) => (rt.handler ? rt.handler(name) : name);

export const unhandled = (rt: RuntimeUnderTest, name: string) => rt.unhandledType?.(name) ?? name;

export const errorOf = (body: Buffer) =>
  JSON.parse(body.toString()) as { errorMessage: string; errorType: string; stackTrace?: unknown };
