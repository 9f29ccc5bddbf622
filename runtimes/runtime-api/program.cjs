'use strict';
// The program behind the runtime API (for go1: the function's executable). It runs in the bridge's process group
// and sandbox, with the instance's environment plus FC_RUNTIME_API. Its stderr is the instance's; its stdout
// passes through the bridge, which drops the `FC Invoke Start/End …` frames FC's SDKs print, because Kumo frames
// every call's log itself (they would show twice).

const { spawn } = require('node:child_process');
const { accessSync, constants, statSync } = require('node:fs');

/** A frame line as FC's SDKs print them (Go: fc/function.go printStartLog/printEndLog). */
const FRAME = /^FC (Invoke|Initialize|PreFreeze|PreStop) (Start|End) RequestId: \S+(, Error: .*)?$/;
/** A line longer than this is passed on in pieces rather than held whole. */
const MAX_HELD_BYTES = 64 * 1024;
/** How long after the program's exit its stdout may still be drained. */
const EXIT_DRAIN_MS = 200;

/** Why `file` cannot be run, or undefined when it can. */
function whyNotRunnable(file) {
  let info;
  try {
    info = statSync(file);
  } catch {
    return `the file ${file} does not exist: the handler names the executable to run (e.g. main), built for linux/amd64 and zipped at the code root`;
  }
  if (!info.isFile()) return `${file} is not a file`;
  try {
    accessSync(file, constants.X_OK);
  } catch {
    return `${file} is not executable: chmod +x it before zipping the code`;
  }
  return undefined;
}

/** Copies `input` to the bridge's stdout line by line, leaving out frame lines. */
function passOutput(input) {
  let held = Buffer.alloc(0);
  const flush = (line) => {
    if (!FRAME.test(line.toString('utf8').replace(/\r?\n$/, ''))) process.stdout.write(line);
  };
  input.on('data', (chunk) => {
    let data = held.length ? Buffer.concat([held, chunk]) : chunk;
    let newline = data.indexOf(10);
    while (newline !== -1) {
      flush(data.subarray(0, newline + 1));
      data = data.subarray(newline + 1);
      newline = data.indexOf(10);
    }
    if (data.length > MAX_HELD_BYTES) {
      process.stdout.write(data);
      data = Buffer.alloc(0);
    }
    held = Buffer.from(data);
  });
  input.on('end', () => {
    if (held.length) flush(held);
  });
}

/**
 * Starts `argv` with `env`. `onExit(code, signal)` runs once it has exited (and its stdout is drained).
 * Returns the ChildProcess.
 */
function startProgram(argv, env, onExit) {
  const [file, ...args] = argv;
  const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  passOutput(child.stdout);
  let exited = false;
  const done = (code, signal) => {
    if (exited) return;
    exited = true;
    onExit(code, signal);
  };
  child.on('error', (error) => {
    process.stderr.write(`runtime-api bridge: cannot start ${file}: ${error.message}\n`);
    done(127, null);
  });
  child.on('close', done);
  // A process the program left behind may hold its stdout open: the exit counts soon after all the same.
  child.on('exit', (code, signal) => setTimeout(() => done(code, signal), EXIT_DRAIN_MS).unref());
  return child;
}

module.exports = { startProgram, whyNotRunnable };
