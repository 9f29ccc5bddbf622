"""Handler resolution (FC_RUNTIME.md §2.2) and the error envelope of failed calls (§1.4, §2.5).

`dir/sub.mod.func` → module `dir.sub.mod` (file `<code>/dir/sub/mod.py`), function `func`. Modules are imported
once and cached; a failed import is retried on the next call, as FC does.
"""
import importlib
import importlib.util
import os
import sys
import threading
import traceback

_AGENT_DIRS = {os.path.dirname(os.path.abspath(__file__)), os.path.dirname(os.path.realpath(__file__))}
_IMPORTLIB_DIR = os.path.dirname(os.path.abspath(importlib.__file__))
_lock = threading.RLock()
_handlers = {}  # handler string -> callable
_modules = {}  # module name -> module
_code_root = None


class LoadError(Exception):
    """A handler that cannot be loaded; `error_type` is FC's errorType."""

    def __init__(self, error_type, message, stack=None):
        Exception.__init__(self, message)
        self.error_type = error_type
        self.message = message
        self.stack = stack or []


def set_code_root(path):
    global _code_root
    _code_root = os.path.realpath(path)


def _is_agent_frame(filename):
    return filename.startswith('<frozen ') or os.path.dirname(filename) in _AGENT_DIRS


def user_frames(tb):
    """[[file, line, function, code], ...] for the traceback's frames outside the agent and the import machinery
    that the agent called into."""
    frames = traceback.extract_tb(tb)
    while frames and (_is_agent_frame(frames[0].filename) or os.path.dirname(frames[0].filename) == _IMPORTLIB_DIR):
        frames.pop(0)
    return [fc_frame(f.filename, f.lineno, f.name, f.line) for f in frames if not _is_agent_frame(f.filename)]


def fc_frame(filename, lineno, name, line):
    """One frame as FC's Python agent gives it: the parts of a traceback line, as strings."""
    return ['File "%s"' % filename, 'line %s' % lineno, 'in %s' % name, (line or '').strip()]


def error_payload(exc):
    """FC's envelope; `stackTrace` is left out when no frame of the user's code is in it, as FC does."""
    if isinstance(exc, LoadError):
        payload = {'errorMessage': exc.message, 'errorType': exc.error_type}
        stack = exc.stack
    else:
        payload = {'errorMessage': str(exc), 'errorType': type(exc).__name__}
        stack = user_frames(exc.__traceback__)
    if stack:
        payload['stackTrace'] = stack
    return payload


def _from_code_root(module):
    paths = []
    if getattr(module, '__file__', None):
        paths.append(module.__file__)
    paths.extend(getattr(module, '__path__', None) or [])
    root = _code_root or os.path.realpath(os.getcwd())
    return any(os.path.realpath(p).startswith(root + os.sep) for p in paths)


def _import(modname, modpath):
    """Import the user's module; a name already taken by a non-user module (the agent's own `http`, `json`, ...)
    is loaded from its file under a private name so that the standard library stays intact."""
    top = modname.split('.')[0]
    taken = sys.modules.get(top)
    if taken is None or _from_code_root(taken):
        return importlib.import_module(modname)
    root = _code_root or os.getcwd()
    base = os.path.join(root, *modpath.replace('.', '/').split('/'))
    for filename in (base + '.py', os.path.join(base, '__init__.py')):
        if os.path.isfile(filename):
            private = '_kumo_user_' + modname.replace('.', '_')
            spec = importlib.util.spec_from_file_location(private, filename)
            module = importlib.util.module_from_spec(spec)
            sys.modules[private] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                sys.modules.pop(private, None)
                raise
            return module
    raise ModuleNotFoundError("No module named '%s'" % modname, name=modname)


def _load_module(modname, modpath):
    module = _modules.get(modname)
    if module is not None:
        return module
    try:
        module = _import(modname, modpath)
    except SyntaxError as e:
        where = '%s, line %s' % (e.filename, e.lineno)
        stack = [fc_frame(e.filename, e.lineno, '<module>', e.text)]
        raise LoadError('UserCodeSyntaxError', "Syntax error in module '%s': %s (%s)" % (modpath, e.msg, where),
                        stack)
    except ImportError as e:
        raise LoadError('ImportModuleError', "Unable to import module '%s': %s" % (modpath, e),
                        user_frames(e.__traceback__))
    except Exception as e:
        raise LoadError('UserCodeError', "Module initialization error: %s: %s" % (type(e).__name__, e),
                        user_frames(e.__traceback__))
    _modules[modname] = module
    return module


def resolve(handler):
    """The callable named by an FC handler string; raises LoadError."""
    fn = _handlers.get(handler)
    if fn is not None:
        return fn
    with _lock:
        fn = _handlers.get(handler)
        if fn is not None:
            return fn
        if not handler or '.' not in handler:
            raise LoadError('InvalidHandlerName', "Invalid handler '%s': expected '<module>.<function>'" % handler)
        modpath, fname = handler.rsplit('.', 1)
        modname = modpath.replace('/', '.')
        if not fname or modpath.startswith('/') or any(not part for part in modname.split('.')):
            raise LoadError('InvalidHandlerName', "Invalid handler '%s': expected '<module>.<function>'" % handler)
        module = _load_module(modname, modpath)
        fn = getattr(module, fname, None)
        if fn is None:
            raise LoadError('HandlerNotFound', "Handler '%s' is missing on module '%s'" % (fname, modpath))
        _handlers[handler] = fn
        return fn
