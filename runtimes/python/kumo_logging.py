"""Log lines in FC's Python format (FC_RUNTIME.md §1.5).

The root logger (and `context.getLogger()`, the same logger) writes `<UTC time with ms>Z <requestId> [LEVEL] <message>`
with the request id of the calling thread's current request (thread-local), so concurrent requests on one instance
each tag their own lines. `print` and other writes to sys.stdout / sys.stderr pass through raw, as on FC.
"""
import logging
import sys
import threading
import time

_state = threading.local()
_write_lock = threading.Lock()
_raw_stdout = sys.stdout
_raw_stderr = sys.stderr


def current_request_id():
    """The request id of the thread's current request, or None outside a request."""
    return getattr(_state, 'request_id', None)


def begin_request(request_id):
    _state.request_id = request_id or ''


def end_request():
    flush_partial()
    _state.request_id = None


def flush_partial():
    """Push what the user wrote to stdout/stderr out before the call's answer."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass


def timestamp(t=None):
    t = time.time() if t is None else t
    return time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(t)) + '.%03dZ' % (int(t * 1000) % 1000)


def write_lines(raw, request_id, level, text, t=None):
    """Write `text` to `raw` as one prefixed line per line of text, atomically with respect to other threads."""
    head = timestamp(t) + (' %s [%s] ' % (request_id, level) if request_id else ' [%s] ' % level)
    out = ''.join(head + line.rstrip('\r') + '\n' for line in text.split('\n'))
    with _write_lock:
        try:
            raw.write(out)
            raw.flush()
        except (OSError, ValueError):
            pass  # a closed or broken log pipe must not fail the user's code


def write_raw(raw, text):
    with _write_lock:
        try:
            raw.write(text)
            raw.flush()
        except (OSError, ValueError):
            pass


class FCLogHandler(logging.Handler):
    """Root-logger handler: writes straight to the real stdout with the thread's request id."""

    def __init__(self, raw):
        logging.Handler.__init__(self)
        self._raw = raw
        self.setFormatter(logging.Formatter('%(message)s'))

    def emit(self, record):
        try:
            text = self.format(record)
            write_lines(self._raw, current_request_id(), record.levelname, text, record.created)
        except Exception:
            self.handleError(record)


def install():
    """Give the root logger FC's format at level INFO; stdout/stderr stay raw (UTF-8)."""
    global _raw_stdout, _raw_stderr
    _raw_stdout, _raw_stderr = sys.stdout, sys.stderr
    for raw in (_raw_stdout, _raw_stderr):
        try:
            # The sandbox may run under the C locale; logs are UTF-8 whatever the user prints.
            raw.reconfigure(encoding='utf-8', errors='backslashreplace')
        except (AttributeError, ValueError, OSError):
            pass
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(FCLogHandler(_raw_stdout))
    root.setLevel(logging.INFO)


def agent_print(text):
    """The agent's own stdout lines (not attributed to a request)."""
    write_raw(_raw_stdout, text + '\n')


def log_error(request_id, text):
    write_lines(_raw_stdout, request_id, 'ERROR', text)
