// A Function Compute custom runtime in TypeScript (compiled to dist/ by build.sh): an HTTP server on
// $FC_SERVER_PORT. POST /initialize runs once per instance (the function has an Initializer); POST /invoke
// gets the event.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

const LANG = 'typescript';
const port = Number(process.env.FC_SERVER_PORT ?? 9000);

/** Prints `<ISO time> <requestId> [INFO] message`, the form Kumo (and FC) attribute to a request. */
function log(req: IncomingMessage, message: string): void {
  console.log(`${new Date().toISOString()} ${req.headers['x-fc-request-id'] ?? ''} [INFO] ${message}`);
}

/** Answers the way FC expects a custom runtime to report a function error. */
function fail(res: ServerResponse, message: string): void {
  res.writeHead(404, { 'content-type': 'application/json', 'x-fc-status': '404' });
  res.end(JSON.stringify({ errorMessage: message }));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const server = createServer(async (req, res) => {
  try {
    const body = await readBody(req);
    if (req.method === 'POST' && req.url === '/initialize') {
      log(req, `${LANG} initialized`);
      res.end();
    } else if (req.method === 'POST' && req.url === '/invoke') {
      const event = body || 'world';
      log(req, `${LANG} handled ${event}`);
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`Hello, ${event}! from ${LANG}`);
    } else {
      fail(res, `unknown path ${req.url}`);
    }
  } catch (error) {
    fail(res, (error as Error).message);
  }
});
server.listen(port, '0.0.0.0', () => console.log(`FunctionCompute ${LANG} runtime inited on port ${port}.`));
