"""HTTP functions: run the user's WSGI app (PEP 3333) for a request forwarded with its original method, path,
headers and body, and stream its response back (FC_RUNTIME.md §1.2, §2.3)."""
import io
import sys
from urllib.parse import unquote_to_bytes

# Hop-by-hop headers are the server's business, never the app's (PEP 3333).
_HOP_BY_HOP = {'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer',
               'trailers', 'transfer-encoding', 'upgrade'}


class ResponseStarted(Exception):
    """The app failed after the response head went out: the connection can only be cut."""


def build_environ(req, body, context):
    """`req` is the BaseHTTPRequestHandler of the forwarded request."""
    raw_uri = req.path
    path, _, query = raw_uri.partition('?')
    headers = req.headers
    environ = {
        'REQUEST_METHOD': req.command,
        'SCRIPT_NAME': '',
        'PATH_INFO': unquote_to_bytes(path).decode('latin-1'),
        'QUERY_STRING': query,
        'CONTENT_TYPE': headers.get('content-type', ''),
        'CONTENT_LENGTH': str(len(body)) if body or headers.get('content-length') else '',
        'REMOTE_ADDR': headers.get('x-fc-client-ip') or req.client_address[0],
        'REMOTE_PORT': str(req.client_address[1]) if len(req.client_address) > 1 else '',
        # FC's Python agent names its own server whatever the request's Host says.
        'SERVER_NAME': 'FCRUNTIME',
        'SERVER_PORT': '9000',
        'SERVER_PROTOCOL': req.request_version,
        'SERVER_SOFTWARE': 'Kumo-Python',
        'wsgi.version': (1, 0),
        'wsgi.url_scheme': 'http',
        'wsgi.input': io.BytesIO(body),
        'wsgi.input_terminated': True,
        'wsgi.errors': sys.stderr,
        'wsgi.multithread': False,
        'wsgi.multiprocess': False,
        'wsgi.run_once': False,
        'fc.context': context,
        'fc.request_uri': raw_uri,
    }
    for name, value in headers.items():
        lower = name.lower()
        # Hop-by-hop headers belong to the hop between Kumo and the agent: FC's front end passes none of them.
        if lower.startswith('x-fc-') or lower in ('content-type', 'content-length') or lower in _HOP_BY_HOP:
            continue
        key = 'HTTP_' + name.upper().replace('-', '_')
        if key in environ:
            value = environ[key] + ('; ' if key == 'HTTP_COOKIE' else ',') + value
        environ[key] = value
    return environ


class _Writer(object):
    """Sends the app's status, headers and body over `req`, chunked when the length is unknown."""

    def __init__(self, req):
        self.req = req
        self.status = None
        self.headers = None
        self.head_sent = False
        self.chunked = False
        self.no_body = False

    def start_response(self, status, headers, exc_info=None):
        if exc_info:
            try:
                if self.head_sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self.status is not None:
            raise AssertionError('start_response() was already called')
        if not isinstance(status, str) or len(status) < 3 or not status[:3].isdigit():
            raise ValueError('invalid WSGI status %r' % (status,))
        self.status = status
        self.headers = [(str(k), str(v)) for k, v in headers]
        return self.write

    def _has(self, name):
        return any(k.lower() == name for k, _ in self.headers)

    def send_head(self, known_length=None):
        if self.status is None:
            raise AssertionError('the WSGI app returned without calling start_response()')
        code = int(self.status[:3])
        reason = self.status[3:].strip() or 'Unknown'
        headers = [(k, v) for k, v in self.headers if k.lower() not in _HOP_BY_HOP]
        bodiless_status = code in (204, 304) or code < 200
        self.no_body = bodiless_status or self.req.command == 'HEAD'
        if not self._has('content-length') and not bodiless_status:
            if known_length is not None:
                headers.append(('Content-Length', str(known_length)))
            elif self.no_body:
                pass  # HEAD of a streamed body: no length to announce, and no body follows
            elif self.req.request_version == 'HTTP/1.1':
                headers.append(('Transfer-Encoding', 'chunked'))
                self.chunked = True
            else:
                self.req.close_connection = True
        lines = ['%s %d %s\r\n' % (self.req.protocol_version, code, reason)]
        lines.extend('%s: %s\r\n' % (k, v) for k, v in headers)
        lines.append('\r\n')
        data = ''.join(lines).encode('latin-1')  # raises before anything is written if a header is not latin-1
        self.req.wfile.write(data)
        self.head_sent = True

    def write(self, data):
        if isinstance(data, str):
            data = data.encode('utf-8')
        if not self.head_sent:
            self.send_head()
        if not data or self.no_body:
            return
        if self.chunked:
            self.req.wfile.write(b'%x\r\n' % len(data) + bytes(data) + b'\r\n')
        else:
            self.req.wfile.write(data)

    def finish(self, known_length=None):
        if not self.head_sent:
            self.send_head(known_length)
        if self.chunked:
            self.req.wfile.write(b'0\r\n\r\n')


def run(req, app, body, context, before_finish=None):
    """Serve one request with `app`. Raises the app's exception if nothing was sent yet (the caller replies with
    an error); raises ResponseStarted (chained) if the failure came after the response head."""
    writer = _Writer(req)
    environ = build_environ(req, body, context)
    result = None
    try:
        result = app(environ, writer.start_response)
        known_length = None
        if isinstance(result, (list, tuple)) and writer.status is not None and not writer.head_sent:
            parts = [p.encode('utf-8') if isinstance(p, str) else p for p in result]
            known_length = sum(len(p) for p in parts)
            result_iter = parts if parts else []
            if known_length:
                writer.send_head(known_length)
        else:
            result_iter = result
        for chunk in result_iter:
            if chunk:
                writer.write(chunk)
        if before_finish:
            before_finish()
        writer.finish(known_length)
    except Exception as e:
        if writer.head_sent:
            raise ResponseStarted(str(e)) from e
        raise
    finally:
        close = getattr(result, 'close', None)
        if close is not None:
            close()
