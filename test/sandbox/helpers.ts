import { chmod, copyFile, mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { InstanceHandle, Sandbox, SandboxSpec } from '../../src/sandbox/index.js';

const FIXTURES = new URL('../fixtures/sandbox/', import.meta.url).pathname;

/** A fresh world-readable code dir holding the sandbox fixtures; removed after the test. */
export async function makeCodeDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kumo-sandbox-test-'));
  await chmod(dir, 0o755);
  for (const name of ['server.cjs', 'hog.cjs']) await copyFile(join(FIXTURES, name), join(dir, name));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

let counter = 0;
/** A spec running the fixture server; fields can be overridden. */
export function serverSpec(codeDir: string, overrides: Partial<SandboxSpec> = {}): SandboxSpec {
  return {
    instanceId: `t${process.pid}-${++counter}`,
    codeDir,
    command: ['node', '/code/server.cjs'],
    env: { FC_FUNCTION_NAME: 'fn', MY_VAR: 'hello' },
    port: 9000,
    memoryMb: 256,
    pidsLimit: 64,
    tmpSizeMb: 16,
    ...overrides,
  };
}

/** Collects a stream's text as it arrives. */
export function collect(stream: NodeJS.ReadableStream): { text: () => string } {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Starts an instance, registers its stop with `t.after`, and collects its output. */
export async function startInstance(t: TestContext, sandbox: Sandbox, spec: SandboxSpec) {
  const handle = await sandbox.start(spec);
  t.after(() => handle.stop());
  return { handle, stdout: collect(handle.stdout), stderr: collect(handle.stderr) };
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Waits until the instance accepts connections; fails early when it exits. */
export async function waitReady(handle: InstanceHandle, stderr?: { text: () => string }, timeoutMs = 10_000) {
  let exited = false;
  void handle.exited.then(() => {
    exited = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await canConnect(handle.host, handle.port)) return;
    if (exited) throw new Error(`instance exited before it was ready: ${stderr?.text() ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`instance not ready after ${timeoutMs} ms: ${stderr?.text() ?? ''}`);
}

/** GET a path on the instance and parse the JSON answer. */
export function getJson<T = unknown>(handle: { host: string; port: number }, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: handle.host, port: handle.port, path, agent: false, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T);
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.end();
  });
}

export { canConnect };
