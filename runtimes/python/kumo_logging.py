"""Log lines in FC's Python format: `<UTC time with ms>Z <requestId> [LEVEL] <message>` (FC_RUNTIME.md §1.5).

The request id is the calling thread's current request (thread-local), so concurrent requests on one instance
each tag their own lines. During a request, text written to sys.stdout / sys.stderr is prefixed the same way
([INFO] / [ERROR]), one prefixed line per newline-terminated line; partial writes wait in a per-thread buffer.
Outside a request, writes pass through unchanged.
"""
import logging
import sys
import threading
import time

_state = threading.local()
_write_lock = threading.Lock()
_streams = []  # the installed LineStreams, flushed at the end of each request
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
    """Emit the calling thread's unterminated stdout/stderr text as complete lines."""
    for stream in _streams:
        stream.flush_partial()


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


class LineStream(object):
    """A text stream that prefixes each line written during a request; raw pass-through otherwise."""

    def __init__(self, raw, level):
        self._raw = raw
        self._level = level
        self._pending = threading.local()

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError('write() argument must be str, not %s' % type(s).__name__)
        request_id = current_request_id()
        if request_id is None:
            write_raw(self._raw, s)
            return len(s)
        buffered = getattr(self._pending, 'text', '') + s
        complete, newline, rest = buffered.rpartition('\n')
        self._pending.text = rest
        if newline:
            write_lines(self._raw, request_id, self._level, complete)
        return len(s)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush_partial(self):
        text = getattr(self._pending, 'text', '')
        if text:
            self._pending.text = ''
            write_lines(self._raw, current_request_id(), self._level, text)

    def flush(self):
        # Partial lines stay buffered until their newline (or the end of the request).
        try:
            self._raw.flush()
        except (OSError, ValueError):
            pass

    def writable(self):
        return True

    def readable(self):
        return False

    def seekable(self):
        return False

    def isatty(self):
        return False

    @property
    def closed(self):
        return self._raw.closed

    def __getattr__(self, name):  # encoding, errors, buffer, fileno, ...
        return getattr(self._raw, name)


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
    """Wrap sys.stdout/sys.stderr and give the root logger FC's format at level INFO."""
    global _raw_stdout, _raw_stderr
    _raw_stdout, _raw_stderr = sys.stdout, sys.stderr
    for raw in (_raw_stdout, _raw_stderr):
        try:
            # The sandbox may run under the C locale; logs are UTF-8 whatever the user prints.
            raw.reconfigure(encoding='utf-8', errors='backslashreplace')
        except (AttributeError, ValueError, OSError):
            pass
    out, err = LineStream(_raw_stdout, 'INFO'), LineStream(_raw_stderr, 'ERROR')
    _streams[:] = [out, err]
    sys.stdout, sys.stderr = out, err
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
