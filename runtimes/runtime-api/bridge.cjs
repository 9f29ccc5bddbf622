'use strict';
// Kumo's runtime API bridge (docs/runtime-api.md): runs inside an instance, in front of a program that pulls its
// work through FC's 2020-11-11 runtime API (go1: the function's executable built with fc-runtime-go-sdk).
//
//   node bridge.cjs <program> [args…]
//
// Kumo ──POST /invoke, /initialize, HTTP…──▶ instance-server ─▶ CallQueue ◀─GET …/next, POST …/{id}/response── program
//
// The bridge starts the runtime API on 127.0.0.1, then the program with FC_RUNTIME_API set, and listens on
// FC_SERVER_PORT once the program first asks for work (Kumo's readiness check then means "the program is up").
// When the program exits, the instance goes too: answers already decided are sent, then the bridge exits with the
// program's status, so the calls still in flight get FC's "Process exited unexpectedly" from Kumo.
// Started by Kumo's pre-warmed pool (KUMO_PREWARM_TOKEN, no program), it waits for the function first (prewarm.cjs).
// Node built-ins only: it runs without node_modules.

const { constants } = require('node:os');
const { CallQueue } = require('./calls.cjs');
const { instanceHandler, serveInstance } = require('./instance-server.cjs');
const { openGate } = require('./prewarm.cjs');
const { startProgram, whyNotRunnable } = require('./program.cjs');
const { startRuntimeApi } = require('./runtime-api.cjs');

const LIMITS = {
  /** An event, an HTTP body or a program's answer: FC 3.0's 32 MB; Kumo's own limits are lower. */
  maxBodyBytes: 32 * 1024 * 1024,
  maxQueued: 1000,
  maxPolls: 256,
};
/** How long answers already decided may take to go out after the program exited. */
const EXIT_FLUSH_MS = 1000;

let argv = process.argv.slice(2);
const port = Number.parseInt(process.env.FC_SERVER_PORT || process.env.FC_CUSTOM_LISTEN_PORT || '9000', 10);

function fatal(message, code) {
  process.stderr.write(`runtime-api bridge: ${message}\n`);
  process.exit(code);
}

async function main() {
  const gate = openGate(process.env, port);
  if (gate) argv = await gate.specialized;
  if (argv.length === 0) fatal('usage: bridge.cjs <program> [args…]', 2);
  const notRunnable = whyNotRunnable(argv[0]);
  if (notRunnable) fatal(notRunnable, 127);

  const queue = new CallQueue(LIMITS);
  let instance;
  const listen = () => {
    if (instance) return;
    if (!gate) instance = serveInstance(queue, LIMITS, port, () => undefined);
    else {
      const { handle, answering } = instanceHandler(queue, LIMITS);
      instance = { server: gate.serve(handle), answering };
    }
  };
  const api = await startRuntimeApi(queue, LIMITS, {
    onPoll: listen,
    onInitError: (result) => {
      // The program cannot serve: every call gets its error, as FC answers a failed runtime start.
      process.stderr.write(
        `runtime-api bridge: the program reported an init error: ${result.error.errorMessage}\n`,
      );
      queue.failAll(result);
      listen();
    },
  });

  const child = startProgram(argv, { ...process.env, FC_RUNTIME_API: api.address }, (code, signal) => {
    const status = code ?? 128 + signalNumber(signal);
    if (queue.failed) return; // it reported why it stopped: keep answering calls with that
    if (!instance) fatal(`${argv[0]} exited (${signal ?? `code ${code}`}) before it asked for work`, status);
    exitAfterAnswers(instance, status);
  });

  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => {
      child.kill(signal);
      process.exit(128 + signalNumber(signal));
    });
  }
}

/** Lets the answers being written go out (bounded), then exits with the program's status. */
function exitAfterAnswers(instance, status) {
  instance.server.close();
  const started = Date.now();
  const check = () => {
    if (instance.answering() === 0 || Date.now() - started > EXIT_FLUSH_MS) process.exit(status);
    setTimeout(check, 5);
  };
  // Answers the program gave just before it exited are still waiting their two turns (afterOutput).
  setImmediate(() => setImmediate(() => setImmediate(check)));
}

function signalNumber(signal) {
  return (signal && constants.signals[signal]) || 0;
}

main().catch((error) => fatal(error.stack || String(error), 1));
