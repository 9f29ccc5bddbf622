import { fileURLToPath } from 'node:url';
import { zipDirectory } from '../code/index.js';
import type { KumoServer } from '../server.js';
import { FcClient, FcClientError } from './client.js';

const EXAMPLE_DIR = fileURLToPath(new URL('../../examples/custom-hello', import.meta.url));

/** Deploys the bundled example and invokes it once, so a new user sees Kumo work end to end. */
export async function runDemo(server: KumoServer, print: (line: string) => void): Promise<void> {
  const { credentials } = server;
  const client = new FcClient({ endpoint: server.url, ...credentials });
  const zipFile = (await zipDirectory(EXAMPLE_DIR)).toString('base64');
  await ignoreExisting(client.json('POST', '/services', { serviceName: 'demo', description: "Kumo's demo" }));
  const fn = { runtime: 'custom', handler: 'index.handler', memorySize: 128, timeout: 10, code: { zipFile } };
  try {
    await client.json('POST', '/services/demo/functions', { functionName: 'hello', ...fn });
  } catch (error) {
    if (!(error instanceof FcClientError && error.code === 'FunctionAlreadyExists')) throw error;
    await client.json('PUT', '/services/demo/functions/hello', fn);
  }
  print('Deployed examples/custom-hello as demo/hello. Invoking it:');
  const response = await client.send('POST', '/services/demo/functions/hello/invocations', 'world', {
    'x-fc-log-type': 'Tail',
  });
  print(`  result: ${response.body.toString().trim()}`);
  print('  logs:');
  for (const line of Buffer.from(response.headers['x-fc-log-result'] ?? '', 'base64')
    .toString()
    .trimEnd()
    .split('\n')) {
    print(`    ${line}`);
  }
  print('');
  print('Call it yourself (another terminal, in this folder):');
  print(`  npx kumo invoke demo/hello -e 'hi'      # or the @alicloud/fc2 SDK with endpoint ${server.url}`);
}

async function ignoreExisting(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof FcClientError && error.code === 'ServiceAlreadyExists')) throw error;
  }
}
