import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { zipFiles } from '../helpers/code.js';
import { startTestServer } from '../helpers/server.js';

const BOOTSTRAP = `#!/usr/bin/python3
import hashlib, os
from http.server import BaseHTTPRequestHandler, HTTPServer

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open("/code/blob.bin", "rb") as f:
            out = ("%d %s" % (os.path.getsize("/code/blob.bin"), hashlib.sha256(f.read()).hexdigest())).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
    def log_message(self, *args):
        pass

HTTPServer(("0.0.0.0", int(os.environ["FC_SERVER_PORT"])), Handler).serve_forever()
`;

// FC 2.0 takes zips up to 50 MB inline through the API: a 45 MB package (incompressible) deploys with one
// createFunction call through fc2 and runs with every byte intact.
test('a 45 MB zip deploys inline through createFunction and runs', async (t) => {
  const { fc } = await startTestServer(t);
  const blob = randomBytes(45 * 1024 * 1024 - 64 * 1024);
  let zipFile: string | undefined = await zipFiles({ bootstrap: BOOTSTRAP, 'blob.bin': blob });
  const zipBytes = Math.floor((zipFile.length * 3) / 4);
  assert.ok(zipBytes > 45 * 1000 * 1000 && zipBytes < 50 * 1024 * 1024, `zip is ${zipBytes} bytes`);
  await fc.createService('big');
  const created = await fc.createFunction('big', {
    functionName: 'fn',
    runtime: 'custom',
    handler: 'index.handler',
    timeout: 60,
    code: { zipFile },
  });
  zipFile = undefined;
  assert.ok(Number(created.data.codeSize) >= zipBytes - 4, `codeSize ${created.data.codeSize}`);
  const answer = await fc.invokeFunction('big', 'fn', '', {}, undefined, { rawBuf: true });
  const expected = `${blob.length} ${createHash('sha256').update(blob).digest('hex')}`;
  assert.equal(String(answer.data), expected);
});
