import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { zipDirectory } from '../code/index.js';
import type { KumoServer } from '../server.js';
import { clientFor, type FcClient, FcClientError } from './client.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

interface Example {
  name: string;
  runtime: string;
  handler: string;
  initializer?: string;
  http?: boolean;
}

/** The bundled examples `npm start` deploys (their template.yml files say the same for `kumo deploy`). */
const DEMO: Example[] = [
  { name: 'custom-hello', runtime: 'custom', handler: 'index.handler' },
  { name: 'nodejs-event', runtime: 'nodejs20', handler: 'index.handler', initializer: 'index.initializer' },
  { name: 'python-event', runtime: 'python3.10', handler: 'index.handler', initializer: 'index.initializer' },
  { name: 'nodejs-http', runtime: 'nodejs20', handler: 'index.handler', http: true },
  { name: 'python-http', runtime: 'python3.10', handler: 'index.handler', http: true },
];

/** Deploys the bundled examples into service `demo` and calls each once, so a new user sees Kumo work. */
export async function runDemo(server: KumoServer, print: (line: string) => void): Promise<void> {
  const client = clientFor(server.url, server.credentials);
  await ignore(
    client.json('POST', '/services', { serviceName: 'demo', description: "Kumo's examples" }),
    'ServiceAlreadyExists',
  );
  for (const example of DEMO) {
    await deploy(client, example);
    print(`Deployed examples/${example.name} as demo/${example.name} (${example.runtime}).`);
  }
  print('');
  const first = await client.send('POST', '/services/demo/functions/custom-hello/invocations', 'world', {
    'x-fc-log-type': 'Tail',
  });
  print('Invoked demo/custom-hello with the event "world":');
  print(`  result: ${first.body.toString().trim()}`);
  print('  logs:');
  for (const line of Buffer.from(first.headers['x-fc-log-result'] ?? '', 'base64')
    .toString()
    .trimEnd()
    .split('\n')) {
    print(`    ${line}`);
  }
  for (const example of DEMO.slice(1)) {
    if (example.http) {
      const url = `${server.url}/2016-08-15/proxy/demo/${example.name}/hello?from=demo`;
      const response = await request(url, { method: 'POST', body: 'hi' });
      print(`POST ${url}\n  → ${response.statusCode} ${(await response.body.text()).trim()}`);
    } else {
      const response = await client.send(
        'POST',
        `/services/demo/functions/${example.name}/invocations`,
        'Kumo',
      );
      print(`invoke demo/${example.name} "Kumo"\n  → ${response.body.toString().trim()}`);
    }
  }
  print('');
  print('Try it yourself (another terminal, in this folder):');
  print(`  npx kumo invoke demo/nodejs-event -e 'you'`);
  print(`  curl ${server.url}/2016-08-15/proxy/demo/python-http/`);
}

async function deploy(client: FcClient, example: Example): Promise<void> {
  const zipFile = (
    await zipDirectory(`${EXAMPLES}${example.name}`, (path) => path === 'template.yml')
  ).toString('base64');
  const fn = {
    runtime: example.runtime,
    handler: example.handler,
    initializer: example.initializer ?? '',
    memorySize: 128,
    timeout: 10,
    code: { zipFile },
  };
  try {
    await client.json('POST', '/services/demo/functions', { functionName: example.name, ...fn });
  } catch (error) {
    if (!(error instanceof FcClientError && error.code === 'FunctionAlreadyExists')) throw error;
    await client.json('PUT', `/services/demo/functions/${example.name}`, fn);
  }
  if (example.http) {
    const trigger = {
      triggerName: 'http',
      triggerType: 'http',
      triggerConfig: { authType: 'anonymous', methods: ['GET', 'POST'] },
    };
    await ignore(
      client.json('POST', `/services/demo/functions/${example.name}/triggers`, trigger),
      'TriggerAlreadyExists',
    );
  }
}

async function ignore(call: Promise<unknown>, code: string): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof FcClientError && error.code === code)) throw error;
  }
}
