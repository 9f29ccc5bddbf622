import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { WebSocket } from 'ws';

/** FC's exec frames: one leading byte names the channel. */
export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2 } as const;

/** Output waiting in the socket above this pauses the command (a flood cannot grow Kumo's memory). */
const HIGH_WATER_BYTES = 1024 * 1024;

export interface SessionOptions {
  /** Forward the client's channel-0 frames to the command's stdin; otherwise stdin is closed at once. */
  stdin: boolean;
  /** Send stderr on channel 2; otherwise it is merged into stdout (channel 1), as a terminal shows it. */
  stderr: boolean;
  /** Ends the session after this long without input or output. */
  idleTimeoutMs: number;
}

/**
 * Connects a command running inside an instance to an exec WebSocket: output as channel frames with
 * backpressure, stdin frames in, the session ends when the command exits, the client leaves, the idle timer
 * fires or the instance stops (`instanceGone`). The command's process group is killed at the end.
 */
export function runSession(
  ws: WebSocket,
  child: ChildProcessWithoutNullStreams,
  options: SessionOptions,
  instanceGone: Promise<unknown>,
): void {
  let ended = false;
  let idle: NodeJS.Timeout | undefined;
  const outputs: Readable[] = [child.stdout, child.stderr];

  const end = (code: number, reason: string) => {
    if (ended) return;
    ended = true;
    clearTimeout(idle);
    killGroup(child);
    if (ws.readyState === 1) ws.close(code, reason.slice(0, 120));
  };
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => end(1000, 'idle timeout'), options.idleTimeoutMs).unref();
  };
  touch();

  const forward = (channel: number) => (chunk: Buffer) => {
    touch();
    if (ws.readyState !== 1) return;
    ws.send(Buffer.concat([Buffer.of(channel), chunk]), () => {
      if (ws.bufferedAmount < HIGH_WATER_BYTES / 4) for (const out of outputs) out.resume();
    });
    if (ws.bufferedAmount > HIGH_WATER_BYTES) for (const out of outputs) out.pause();
  };
  child.stdout.on('data', forward(CHANNEL.stdout));
  child.stderr.on('data', forward(options.stderr ? CHANNEL.stderr : CHANNEL.stdout));
  child.stdin.on('error', () => {});
  if (!options.stdin) child.stdin.end();

  ws.on('message', (data: Buffer) => {
    touch();
    if (!options.stdin || data.length < 1 || data[0] !== CHANNEL.stdin) return;
    if (child.stdin.writable) child.stdin.write(data.subarray(1));
  });
  ws.on('close', () => end(1000, 'client closed'));
  ws.on('error', () => end(1011, 'socket error'));
  child.on('error', (error) => end(1011, `cannot run the command: ${error.message}`));
  child.on('close', (code, signal) => end(1000, signal ? `killed by ${signal}` : `exit status ${code}`));
  void instanceGone.then(() => end(1001, 'the instance stopped'));
}

/** Kills the command and whatever it started in its process group. */
export function killGroup(child: ChildProcessWithoutNullStreams): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}
