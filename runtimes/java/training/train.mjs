// Drives the agent's CDS training run (scripts/setup.d/java.sh): one stream, one POJO and one HTTP call, after
// which the agent (started with -Dkumo.exit.after.calls=3) exits and the JVM writes its class archive.
const base = `http://127.0.0.1:${process.argv[2]}`;
const deadline = Date.now() + 60_000;
const call = (path, handler, controlPath, body) =>
  fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      'x-fc-control-path': controlPath,
      'x-fc-function-handler': handler,
      'x-fc-request-id': 'training',
    },
    body,
  }).then((response) => response.text());

for (;;) {
  try {
    await call('/invoke', 'training.Stream::handleRequest', '/invoke', 'hello');
    break;
  } catch (error) {
    if (Date.now() > deadline) throw error;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
await call('/invoke', 'training.Pojo::handleRequest', '/invoke', '{"a":1,"b":[true,null,"x"]}');
await call('/train?q=1', 'training.Http::handleRequest', '/http-invoke').catch(() => {});
