import assert from 'node:assert/strict';
import { test } from 'node:test';
import type FC from '@alicloud/fc2';
import { runKumo } from '../helpers/cli.js';
import { deployCustom, PYTHON_RUNTIME } from '../helpers/functions.js';
import { startTestServer } from '../helpers/server.js';

interface ExecResult {
  stdout: string;
  error?: Error;
}

/** Runs `command` through fc2's instanceExec and collects stdout until the server closes the session. */
function execIn(fc: FC, fn: string, instanceId: string, command: string[], maxBytes = Infinity) {
  return new Promise<ExecResult>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let error: Error | undefined;
    let session: { close(): void } | undefined;
    fc.instanceExec(
      'exec',
      fn,
      '',
      instanceId,
      { command, stdin: false, tty: false, stderr: true },
      {
        onStdout: (data) => {
          chunks.push(Buffer.from(data));
          size += data.length;
          if (size > maxBytes) session?.close();
        },
        onStderr: (data) => chunks.push(Buffer.from(data)),
        onError: (e) => {
          error ??= e; // fc2 then closes the socket, which reports a second, generic error
        },
        onClose: () => resolve({ stdout: Buffer.concat(chunks).toString(), error }),
      },
    ).then((s) => {
      session = s;
    }, reject);
  });
}

async function instanceIdOf(fc: FC, fn: string): Promise<string> {
  const answer = await fc.invokeFunction('exec', fn, 'hi');
  const id = answer.headers['x-fc-instance-id'];
  assert.ok(id, 'the invoke answer names its instance');
  return id;
}

test('instanceExec runs a command inside a live sandboxed instance', async (t) => {
  const { fc, server } = await startTestServer(t, { instanceIdleMs: 600_000 });
  if (server.sandbox.kind === 'process') {
    t.skip('this machine has no bwrap sandbox (the process sandbox refuses exec, tested below)');
    return;
  }
  await deployCustom(fc, 'exec', 'fn', PYTHON_RUNTIME);
  await deployCustom(fc, 'exec', 'other', PYTHON_RUNTIME);
  const id = await instanceIdOf(fc, 'fn');

  await t.test('ls /code lists the code, as the instance sees it', async () => {
    const result = await execIn(fc, 'fn', id, ['ls', '/code']);
    assert.equal(result.error, undefined);
    assert.equal(result.stdout, 'bootstrap\n');
  });

  await t.test("the command runs as the instance's uid, in its pid namespace and cgroup", async () => {
    const result = await execIn(fc, 'fn', id, [
      'sh',
      '-c',
      'id -u; cat /proc/self/cgroup; ls /proc | grep -c "^[0-9]"',
    ]);
    const [uid, ...rest] = result.stdout.trim().split('\n');
    assert.notEqual(uid, '0');
    assert.match(rest.join('\n'), new RegExp(`kumo-${process.pid}-${id}`));
    assert.ok(Number(rest.at(-1)) < 10, `only the instance's processes are visible: ${result.stdout}`);
    const status = (await execIn(fc, 'fn', id, ['cat', '/proc/self/status'])).stdout;
    assert.match(status, /^NoNewPrivs:\s+1$/m);
    assert.match(status, /^CapEff:\s+0+$/m);
    if (process.arch === 'x64')
      assert.match(status, /^Seccomp:\s+2$/m, 'the instance seccomp filter applies');
    const blocked = await execIn(fc, 'fn', id, ['unshare', '--user', 'true']);
    assert.match(blocked.stdout, /unshare failed|Operation not permitted|Function not implemented/);
  });

  await t.test("fc2's defaults: an interactive shell on a terminal, fed by stdin frames", async () => {
    const output: Buffer[] = [];
    const closed = new Promise<void>((resolve) => {
      void fc
        .instanceExec(
          'exec',
          'fn',
          '',
          id,
          {},
          { onStdout: (d) => output.push(Buffer.from(d)), onClose: resolve },
        )
        .then((session) => {
          // FC's frames: a leading 0 byte marks stdin.
          const send = () => session.sendMessage(Buffer.from('\x00tty; cd /code && ls; exit 3\n'));
          if (session.websocket.readyState === 1) send();
          else session.websocket.once('open', send);
        });
    });
    await closed;
    const text = Buffer.concat(output).toString();
    assert.match(text, /\/dev\/pts\/\d+/);
    assert.match(text, /bootstrap/);
  });

  await t.test('kumo instances exec prints the output and exits with the command status', async () => {
    const args = ['instances', 'exec', 'exec/fn', id, '--', 'ls', '/code'];
    const listed = await runKumo(args, { endpoint: server.url });
    assert.equal(listed.stdout, 'bootstrap\n', listed.stderr);
    assert.equal(listed.code, 0);
    const failed = await runKumo(['instances', 'exec', 'exec/fn', id, '--', 'ls', '/nope'], {
      endpoint: server.url,
    });
    assert.equal(failed.code, 2);
    assert.match(failed.stderr, /No such file/);
    const missing = await runKumo(['instances', 'exec', 'exec/fn', 'i-nope', '--', 'ls'], {
      endpoint: server.url,
    });
    assert.equal(missing.code, 3, 'an API error');
    assert.match(missing.stderr, /^kumo: InstanceNotFound: instance 'i-nope'/);
  });

  await t.test('an id of another function, or a path trick, finds nothing', async () => {
    const otherId = await instanceIdOf(fc, 'other');
    assert.match((await execIn(fc, 'fn', otherId, ['ls'])).error?.message ?? '', /is not running/);
    assert.match(
      (await execIn(fc, 'fn', '..%2F..%2Fx', ['ls'])).error?.message ?? '',
      /must not encode '\/'/,
    );
    assert.match(
      (await execIn(fc, 'fn', '..', ['ls'])).error?.message ?? '',
      /not supported|invalid instance id/,
    );
    assert.match((await execIn(fc, 'fn', 'x.y', ['ls'])).error?.message ?? '', /invalid instance id 'x.y'/);
    assert.match((await execIn(fc, 'fn', 'i-nope', ['ls'])).error?.message ?? '', /is not running/);
  });

  await t.test('a flood of output ends when the client leaves; the server keeps serving', async () => {
    const result = await execIn(fc, 'fn', id, ['yes'], 256 * 1024);
    assert.ok(result.stdout.length > 256 * 1024);
    assert.equal((await execIn(fc, 'fn', id, ['echo', 'still here'])).stdout, 'still here\n');
  });

  await t.test('an exec does not outlive its instance', async () => {
    let started!: () => void;
    const ready = new Promise<void>((resolve) => {
      started = resolve;
    });
    const output: string[] = [];
    const ended = new Promise<void>((resolve) => {
      const command = ['sh', '-c', 'echo ready; sleep 600; echo late'];
      void fc.instanceExec(
        'exec',
        'fn',
        '',
        id,
        { command, tty: false },
        {
          onStdout: (d) => {
            output.push(d.toString());
            started();
          },
          onClose: resolve,
        },
      );
    });
    await ready;
    await fc.updateFunction('exec', 'fn', { description: 'retire the instance' });
    await ended;
    assert.deepEqual(output, ['ready\n']);
  });
});

test('an open exec session does not keep the server from closing', async (t) => {
  const { fc, server } = await startTestServer(t, { instanceIdleMs: 600_000 });
  if (server.sandbox.kind === 'process') {
    t.skip('this machine has no bwrap sandbox');
    return;
  }
  await deployCustom(fc, 'exec', 'fn', PYTHON_RUNTIME);
  const id = await instanceIdOf(fc, 'fn');
  let opened!: () => void;
  const open = new Promise<void>((resolve) => {
    opened = resolve;
  });
  const session = new Promise<void>((resolve) => {
    void fc.instanceExec(
      'exec',
      'fn',
      '',
      id,
      { command: ['sh', '-c', 'echo ready; sleep 600'], tty: false },
      {
        onStdout: () => opened(),
        onClose: resolve,
      },
    );
  });
  await open;
  await server.close();
  await session;
});

test('instanceExec is refused in the process sandbox rather than run on the host', async (t) => {
  const { fc } = await startTestServer(t, { sandbox: 'process', instanceIdleMs: 600_000 });
  await deployCustom(fc, 'exec', 'fn', PYTHON_RUNTIME);
  const id = await instanceIdOf(fc, 'fn');
  const result = await execIn(fc, 'fn', id, ['ls', '/code']);
  assert.equal(result.stdout, '');
  assert.match(result.error?.message ?? '', /sandbox 'process'/);
});
