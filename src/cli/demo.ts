import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import type { KumoServer } from '../server.js';
import { codePackager } from './build/index.js';
import { clientFor } from './client.js';
import { deploy } from './deploy.js';
import { readTemplate } from './template/index.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

/** The bundled examples `npm start` deploys, each from its own template.yml into its own service. */
const DEMO = ['custom-hello', 'nodejs-event', 'python-event', 'nodejs-http', 'python-http'];

/** Deploys the bundled examples (as `kumo deploy` would in each folder) and calls each once. */
export async function runDemo(
  server: KumoServer,
  print: (line: string) => void,
  connection: { dataDir?: string; defaultUrl?: string } = {},
): Promise<void> {
  const client = clientFor(server.url, server.credentials);
  const deployed: { example: string; target: string; url?: string }[] = [];
  for (const example of DEMO) {
    const project = readTemplate(`${EXAMPLES}${example}`);
    const service = project.services[0];
    const fn = service?.functions[0];
    if (!service || !fn) throw new Error(`examples/${example}/template.yml has no function`);
    const warn = (line: string) => print(`  ! ${line}`);
    const result = await deploy(client, project, () => undefined, codePackager(project, print, warn));
    const target = `${service.serviceName}/${fn.functionName}`;
    deployed.push({ example, target, url: result.urls[0] });
    print(`Deployed examples/${example} as ${target} (${String(fn.config.runtime)}).`);
  }
  print('');
  const [first, ...rest] = deployed;
  if (!first) return;
  const response = await client.send(
    'POST',
    `/services/${first.target.replace('/', '/functions/')}/invocations`,
    'world',
    {
      'x-fc-log-type': 'Tail',
    },
  );
  print(`Invoked ${first.target} with the event "world":`);
  print(`  result: ${response.body.toString().trim()}`);
  print('  logs:');
  for (const line of Buffer.from(response.headers['x-fc-log-result'] ?? '', 'base64')
    .toString()
    .trimEnd()
    .split('\n')) {
    print(`    ${line}`);
  }
  for (const { target, url } of rest) {
    if (url) {
      const page = `${url}hello?from=demo`;
      const answer = await request(page, { method: 'POST', body: 'hi' });
      print(`POST ${page}\n  → ${answer.statusCode} ${(await answer.body.text()).trim()}`);
    } else {
      const answer = await client.send(
        'POST',
        `/services/${target.replace('/', '/functions/')}/invocations`,
        'Kumo',
      );
      print(`invoke ${target} "Kumo"\n  → ${answer.body.toString().trim()}`);
    }
  }
  print('');
  print('Try it yourself (another terminal, in this folder):');
  print(`  ${invokeHint(server.url, connection)}`);
  const page = deployed.find((d) => d.example === 'python-http')?.url;
  if (page) print(`  curl ${page}`);
}

/**
 * The `kumo invoke` line that works as printed from the folder `kumo serve` ran in: it names the data dir
 * (where the server's key is) and the endpoint whenever they are not the ones the CLI assumes.
 */
export function invokeHint(url: string, connection: { dataDir?: string; defaultUrl?: string }): string {
  const flags = [
    ...(url !== (connection.defaultUrl ?? 'http://127.0.0.1:8780') ? [`--endpoint ${url}`] : []),
    ...(connection.dataDir ? [`--data-dir ${connection.dataDir}`] : []),
  ];
  return ['npx kumo invoke nodejs-event/nodejs-event', ...flags, `-e 'you'`].join(' ');
}
