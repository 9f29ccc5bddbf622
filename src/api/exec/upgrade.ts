import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { WebSocketServer } from 'ws';
import { poolKeyOf } from '../../invoke/index.js';
import { ALIAS_MAIN_VERSION, resolveTarget } from '../../invoke/resolve.js';
import { FcError } from '../../model/index.js';
import type { InstanceHandle } from '../../sandbox/index.js';
import type { MetaStore } from '../../store/index.js';
import { type KeyRing, safeDecode, verifyFcSignature } from '../auth.js';
import { authorizeRequest } from '../authorize.js';
import { API_PREFIX } from '../context.js';
import { checkRequestTarget } from '../request-path.js';
import { killGroup, runSession } from './session.js';

export interface ExecDeps {
  keys: KeyRing;
  store: MetaStore;
  logger: Logger;
  /** The running instance `instanceId` of the pool (function version), if there is one. */
  findInstance(poolKey: string, instanceId: string): InstanceHandle | undefined;
}

const ROUTE = `${API_PREFIX}/services/:service/functions/:function/instances/:instanceId/exec`;
const PATH = /^\/2016-08-15\/services\/([^/]+)\/functions\/([^/]+)\/instances\/([^/]+)\/exec$/;
/** Scheduler ids (`i-…`) and nothing that could be read as a path. */
const INSTANCE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const MAX_IDLE_SECONDS = 3600;

/**
 * FC's `instanceExec`: a signed WebSocket upgrade on `…/instances/{id}/exec?command=…&stdin=…&stderr=…` runs
 * the command inside that live instance (never on the host) and streams FC's channel frames.
 */
export function serveInstanceExec(app: FastifyInstance, deps: ExecDeps): void {
  const { server } = app;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  // Open sessions would keep the server from closing: they end first (their commands are killed).
  const sessions = new Set<WebSocket>();
  app.addHook('preClose', (done) => {
    for (const ws of sessions) ws.terminate();
    done();
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    const path = (request.url ?? '').split('?', 1)[0] ?? '';
    if (!PATH.test(path)) {
      // Another upgrade listener (if any) owns other paths.
      if (server.listenerCount('upgrade') === 1) refuse(socket, pathError(request));
      return;
    }
    start(request, deps).then(
      ({ child, handle, options }) => {
        // A handshake ws refuses (bad key or version) never reaches the callback: the command must not stay.
        if (socket.destroyed) {
          killGroup(child);
          return;
        }
        let upgraded = false;
        socket.once('close', () => {
          if (!upgraded) killGroup(child);
        });
        wss.handleUpgrade(request, socket, head, (ws) => {
          upgraded = true;
          sessions.add(ws);
          ws.on('close', () => sessions.delete(ws));
          runSession(ws, child, options, handle.exited);
        });
      },
      (error: unknown) => {
        const fcError =
          error instanceof FcError
            ? error
            : new FcError('InternalServerError', 'internal error; see the Kumo server log', { cause: error });
        if (!fcError.isUserError) deps.logger.error({ err: error, url: request.url }, 'instance exec failed');
        refuse(socket, fcError);
      },
    );
  });
}

async function start(request: IncomingMessage, deps: ExecDeps) {
  const url = request.url ?? '/';
  checkRequestTarget(url);
  const [, rawService = '', rawFunction = '', rawInstance = ''] = PATH.exec(url.split('?', 1)[0] ?? '') ?? [];
  const key = verifyFcSignature({ method: 'GET', url, headers: request.headers }, deps.keys);
  const params = { service: safeDecode(rawService), function: safeDecode(rawFunction) };
  authorizeRequest(key, { method: 'GET', route: ROUTE, params });
  const instanceId = safeDecode(rawInstance);
  if (!INSTANCE_ID.test(instanceId))
    throw new FcError('InvalidArgument', `invalid instance id '${instanceId}'`);

  const query = new URLSearchParams(url.split('?', 2)[1] ?? '');
  const command = query.getAll('command').filter((part) => part !== '');
  if (command.length === 0)
    throw new FcError('InvalidArgument', 'command is required (e.g. command=ls&command=/code)');
  const idle = Number(query.get('idleTimeout') ?? 120);
  if (!Number.isInteger(idle) || idle < 1 || idle > MAX_IDLE_SECONDS) {
    throw new FcError(
      'InvalidArgument',
      `idleTimeout must be an integer between 1 and ${MAX_IDLE_SECONDS} seconds`,
    );
  }
  const target = await resolveTarget(
    deps.store,
    {
      serviceRef: params.service,
      functionName: params.function,
      qualifier: query.get('qualifier') || undefined,
    },
    ALIAS_MAIN_VERSION,
  );
  const poolKey = poolKeyOf(target.service.serviceName, target.fn.functionName, target.versionId);
  const handle = deps.findInstance(poolKey, instanceId);
  if (!handle) {
    throw new FcError(
      'InstanceNotFound',
      `instance '${instanceId}' of function '${params.function}' (${params.service}) is not running`,
    );
  }
  if (!handle.exec) {
    throw new FcError(
      'NotSupported',
      "instanceExec needs a sandboxed instance (bwrap or runc); this one runs as a plain host process (sandbox 'process'), where the command would run on the host",
    );
  }
  let child: ChildProcessWithoutNullStreams;
  try {
    child = handle.exec(command, { tty: query.get('tty') !== 'false' });
  } catch (error) {
    throw new FcError(
      'InstanceNotFound',
      `cannot enter instance '${instanceId}': ${(error as Error).message}`,
    );
  }
  const flag = (name: string, fallback: boolean) => (query.get(name) ?? String(fallback)) === 'true';
  const options = { stdin: flag('stdin', false), stderr: flag('stderr', false), idleTimeoutMs: idle * 1000 };
  return { child, handle, options };
}

function pathError(request: IncomingMessage): FcError {
  return new FcError('PathNotSupported', `'${request.method}' against '${request.url}' is not supported`);
}

/** An FC error JSON as the HTTP answer to the upgrade (fc2 reports it through `unexpected-response`). */
function refuse(socket: Duplex, error: FcError): void {
  const body = JSON.stringify(error.toBody(randomUUID()));
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
