"""Kumo's agent for FC's built-in Python 3 runtimes (python3, python3.9, python3.10).

Started as `/usr/bin/python3 -u <runtimes>/python/agent.py` with the user's code directory in FC_FUNC_CODE_PATH.
It serves FC's custom-runtime protocol on 0.0.0.0:$FC_SERVER_PORT (FC_RUNTIME.md §1.2):
  POST /invoke       (X-Fc-Control-Path /invoke)      handler(event: bytes, context) -> result bytes
  POST /initialize   (X-Fc-Control-Path /initialize)  initializer(context)
  GET  /pre-stop, /pre-freeze                          pre_stop(context) / pre_freeze(context)
  any request        (X-Fc-Control-Path /http-invoke) the WSGI app handler(environ, start_response)
Failures reply 404 + `x-fc-status: 404` with FC's {"errorMessage", "errorType", "stackTrace"} envelope.
Standard library only; Python >= 3.9.
"""
import os
import sys

sys.dont_write_bytecode = True  # never litter the user's code (or the read-only agent mount) with __pycache__

# The agent's modules and the standard library are imported before the user's code is importable: with
# PYTHONPATH=/code a user file named http.py or json.py would otherwise shadow them.
AGENT_DIRS = {os.path.dirname(os.path.abspath(__file__)), os.path.dirname(os.path.realpath(__file__))}
_USER_PATHS = {os.path.abspath(p) for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p}
if os.environ.get('FC_FUNC_CODE_PATH'):
    _USER_PATHS.add(os.path.abspath(os.environ['FC_FUNC_CODE_PATH']))
_ORIGINAL_PATH = list(sys.path)
sys.path[:] = sorted(AGENT_DIRS) + [p for p in sys.path if p and os.path.abspath(p) not in _USER_PATHS | AGENT_DIRS]

import datetime  # noqa: E402
import decimal  # noqa: E402
import json  # noqa: E402
import signal  # noqa: E402
import threading  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402

import kumo_context  # noqa: E402
import kumo_loader  # noqa: E402
import kumo_logging  # noqa: E402
import kumo_wsgi  # noqa: E402

# FC_* variables the user's code may see (FC_RUNTIME.md §1.6); every other FC_* / _FC_* variable is internal.
KEPT_FC_VARS = {
    'FC_FUNC_CODE_PATH', 'FC_FUNCTION_MEMORY_SIZE', 'FC_ACCOUNT_ID', 'FC_FUNCTION_HANDLER', 'FC_FUNCTION_NAME',
    'FC_SERVICE_NAME', 'FC_QUALIFIER', 'FC_REGION', 'FC_INSTANCE_ID', 'FC_SERVER_PORT', 'FC_CUSTOM_LISTEN_PORT',
    'FC_RUNTIME_VERSION', 'FC_VER_ID', 'FC_FUNCTION_VERSION',
}
LIFECYCLE_HEADERS = {
    '/initialize': 'x-fc-function-initializer',
    '/pre-stop': 'x-fc-instance-lifecycle-pre-stop-handler',
    '/pre-freeze': 'x-fc-instance-lifecycle-pre-freeze-handler',
}
CONFIG = {}  # values read from the environment before it is cleaned
# Started by Kumo's pre-warmed pool (KUMO_PREWARM_TOKEN=<token>, no function yet): the only request served before
# the function's environment arrives is POST /kumo/specialize with that token; afterwards the agent is the same as one
# started with that environment, and /kumo/specialize is an ordinary path of the function's.
PREWARM = {'token': os.environ.pop('KUMO_PREWARM_TOKEN', ''), 'state': 'generic'}
PREWARM_LOCK = threading.Lock()
INITED = 'FunctionCompute python3 runtime inited.'


def _json_default(obj):
    if isinstance(obj, decimal.Decimal):
        return float(obj)
    if isinstance(obj, (datetime.datetime, datetime.date)):
        return obj.isoformat()
    if hasattr(obj, 'to_json'):
        return obj.to_json()
    raise TypeError('Object of type %s is not JSON serializable' % type(obj).__name__)


def encode_result(value):
    """FC's Python encoding: bytes raw, str UTF-8, None empty, anything else JSON (indent=4, sort_keys)."""
    if value is None:
        return b''
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode('utf-8')
    return json.dumps(value, indent=4, sort_keys=True, default=_json_default).encode('utf-8')


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'Kumo-Python'
    disable_nagle_algorithm = True  # streamed HTTP-function chunks leave at once

    def log_message(self, format, *args):
        pass

    def __getattr__(self, name):
        # Every method (GET, POST, PROPFIND, ...) goes through one dispatcher: HTTP functions see them all.
        if name.startswith('do_'):
            return self._dispatch
        raise AttributeError(name)

    # -- plumbing -----------------------------------------------------------------------------------------------

    def _read_body(self):
        if 'chunked' in (self.headers.get('transfer-encoding') or '').lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b';', 1)[0].strip() or b'0', 16)
                if size == 0:
                    while self.rfile.readline() not in (b'\r\n', b'\n', b''):
                        pass  # trailers
                    return b''.join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get('content-length') or 0)
        return self.rfile.read(length) if length > 0 else b''

    def _reply(self, status, body, content_type='application/octet-stream', extra=()):
        kumo_logging.flush_partial()  # the call's log lines go out before its response
        self.send_response_only(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)

    def _reply_error(self, exc, request_id):
        payload = kumo_loader.error_payload(exc)
        text = json.dumps(payload)
        kumo_logging.log_error(request_id, text)
        self._reply(404, text.encode('utf-8'), 'application/json',
                    [('x-fc-status', '404'), ('x-fc-error-type', 'UnhandledInvocationError')])

    # -- routes -------------------------------------------------------------------------------------------------

    def _control_path(self):
        control = self.headers.get('x-fc-control-path')
        if control:
            return control
        path = self.path.split('?', 1)[0]
        if self.command == 'POST' and path in ('/invoke', '/initialize'):
            return path
        if path in ('/pre-stop', '/pre-freeze'):
            return path
        return '/http-invoke'

    def _dispatch(self):
        if PREWARM['token'] and PREWARM['state'] != 'specialized':
            self._prewarm_gate()
            return
        control = self._control_path()
        request_id = self.headers.get('x-fc-request-id') or ''
        body = self._read_body()
        context = kumo_context.from_headers(self.headers)
        kumo_logging.begin_request(request_id)
        try:
            if control == '/invoke':
                self._invoke(body, context, request_id)
            elif control == '/http-invoke':
                self._http_invoke(body, context, request_id)
            elif control in LIFECYCLE_HEADERS:
                self._lifecycle(control, context, request_id)
            else:
                self._reply(400, b'unknown x-fc-control-path ' + control.encode('utf-8', 'replace'), 'text/plain')
        finally:
            kumo_logging.end_request()

    def _prewarm_gate(self):
        body = self._read_body()
        with PREWARM_LOCK:
            allowed = (PREWARM['state'] == 'generic' and self.command == 'POST'
                       and self.path.split('?', 1)[0] == '/kumo/specialize'
                       and self.headers.get('x-kumo-prewarm-token') == PREWARM['token'])
            if allowed:
                PREWARM['state'] = 'specializing'
        if not allowed:
            self._reply(503, b'this instance has no function yet', 'text/plain')
            return
        try:
            env = json.loads(body)['env']
            os.environ.clear()
            os.environ.update({str(k): str(v) for k, v in env.items()})
            apply_environment()
        except Exception as e:  # half-specialised: never serve anything
            sys.stderr.write('pre-warmed agent: cannot specialise: %s\n' % e)
            os._exit(1)
        PREWARM['state'] = 'specialized'
        self._reply(204, b'')
        kumo_logging.agent_print(INITED)

    def _handler_name(self):
        return self.headers.get('x-fc-function-handler') or CONFIG.get('handler') or ''

    def _invoke(self, body, context, request_id):
        try:
            handler = kumo_loader.resolve(self._handler_name())
            value = handler(body, context)
        except SystemExit as e:
            _exit_process(e)
        except Exception as e:
            self._reply_error(e, request_id)
            return
        try:
            result = encode_result(value)
        except Exception as e:  # e.g. a set is not JSON: the frames would all be the agent's and json's
            self._reply_error(e.with_traceback(None), request_id)
            return
        self._reply(200, result)

    def _lifecycle(self, control, context, request_id):
        name = self.headers.get(LIFECYCLE_HEADERS[control]) or ''
        if not name and control == '/initialize':
            name = CONFIG.get('initializer') or ''
        if name:
            try:
                kumo_loader.resolve(name)(context)
            except SystemExit as e:
                _exit_process(e)
            except Exception as e:
                self._reply_error(e, request_id)
                return
        self._reply(200, b'')

    def _http_invoke(self, body, context, request_id):
        try:
            app = kumo_loader.resolve(self._handler_name())
            kumo_wsgi.run(self, app, body, context, before_finish=kumo_logging.flush_partial)
        except kumo_wsgi.ResponseStarted as e:
            # Too late for an error reply: log it and cut the connection so the client sees a broken response.
            cause = e.__cause__ or e
            if not isinstance(cause, OSError):
                kumo_logging.log_error(request_id, json.dumps(kumo_loader.error_payload(cause)))
            self.close_connection = True
        except SystemExit as e:
            _exit_process(e)
        except Exception as e:
            if isinstance(e, (BrokenPipeError, ConnectionResetError)):
                self.close_connection = True
                return
            self._reply_error(e, request_id)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


def _clean_environment():
    for name in list(os.environ):
        if (name.startswith('FC_') or name.startswith('_FC_')) and name not in KEPT_FC_VARS:
            del os.environ[name]


def _exit_process(exc):
    """`sys.exit()` in user code ends the runtime process, as on FC: the call fails as a process exit and the
    next call cold-starts. The status and message follow Python's own rules for SystemExit."""
    code = exc.code
    if code is not None and not isinstance(code, int):
        sys.stderr.write('%s\n' % (code,))
        code = 1
    kumo_logging.flush_partial()
    os._exit(code or 0)


def _exit(signum, frame):
    kumo_logging.flush_partial()
    try:
        sys.__stdout__.flush()
        sys.__stderr__.flush()
    finally:
        os._exit(0)


def apply_environment():
    """What the agent does with its environment at start (or, pre-warmed, once it is given its function's)."""
    code_root = os.path.abspath(os.environ.get('FC_FUNC_CODE_PATH') or os.getcwd())
    CONFIG['handler'] = os.environ.get('FC_FUNCTION_HANDLER', '')
    CONFIG['initializer'] = os.environ.get('FC_FUNCTION_INITIALIZER') or os.environ.get('FC_INITIALIZER_HANDLER', '')
    _clean_environment()

    # The user's code comes first on sys.path (then PYTHONPATH); the agent's own directory is not importable.
    sys.path[:] = [code_root] + [p for p in _ORIGINAL_PATH
                                 if p and os.path.abspath(p) not in AGENT_DIRS and os.path.abspath(p) != code_root]
    if os.path.isdir(code_root):
        os.chdir(code_root)
    kumo_loader.set_code_root(code_root)
    kumo_logging.install()


def main():
    port = int(os.environ.get('FC_SERVER_PORT') or os.environ.get('FC_CUSTOM_LISTEN_PORT') or 9000)
    if not PREWARM['token']:
        apply_environment()
    signal.signal(signal.SIGTERM, _exit)
    signal.signal(signal.SIGINT, _exit)

    server = Server(('0.0.0.0', port), Handler)
    if not PREWARM['token']:
        kumo_logging.agent_print(INITED)
    server.serve_forever()


if __name__ == '__main__':
    main()
