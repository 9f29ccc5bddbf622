'use strict';
// Handler resolution: "<file>.<export>" split on the last dot, module loaded from the code dir
// with require() (CommonJS) or import() (ESM), cached per module file.

const fs = require('fs');
const path = require('path');
const url = require('url');
const AgentError = require('./errors.cjs').AgentError;

const moduleCache = new Map(); // resolved file -> Promise<exports>

function isFile(file) {
  try {
    return fs.statSync(file).isFile();
  } catch (_err) {
    return false;
  }
}

function resolveModuleFile(base) {
  try {
    return require.resolve(base);
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND') throw err;
  }
  if (isFile(`${base}.mjs`)) return `${base}.mjs`;
  if (isFile(`${base}.cjs`)) return `${base}.cjs`;
  return null;
}

// ESM SyntaxErrors carry no file:line; ask `node --check` (only if the entry file is at fault).
// child_process is required here, not at the top: loading it costs ~3 ms of every cold start.
function esmSyntaxLocation(file) {
  try {
    const spawnSync = require('child_process').spawnSync;
    const out = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10000 });
    const first = String(out.stderr || '').split('\n')[0];
    return /^.+:\d+$/.test(first) ? first.replace(/^file:\/\//, '') : null;
  } catch (_err) {
    return null;
  }
}

function syntaxError(err, file) {
  const first = String(err.stack || '').split('\n')[0];
  let location = /^.+:\d+$/.test(first) ? first : null;
  if (!location && /\.mjs$|\.js$/.test(file)) location = esmSyntaxLocation(file);
  const message = location ? `${err.message} (${location})` : String(err.message);
  const wrapped = new AgentError('UserCodeSyntaxError', message, err);
  wrapped.stack = err.stack;
  return wrapped;
}

function mapLoadError(err, file) {
  if (err && (err instanceof SyntaxError || err.name === 'SyntaxError')) return syntaxError(err, file);
  if (err && (err.code === 'MODULE_NOT_FOUND' || err.code === 'ERR_MODULE_NOT_FOUND')) {
    const wrapped = new AgentError('ImportModuleError', String(err.message), err);
    wrapped.stack = err.stack;
    return wrapped;
  }
  return err;
}

// import() is a syntax error on Node.js 8: compiled only when an ES module is loaded (Node.js ≥ 12).
function importModule(file) {
  const href = url.pathToFileURL ? url.pathToFileURL(file).href : `file://${file}`;
  return new Function('specifier', 'return import(specifier)')(href);
}

// A promise of the module's exports (a throw in the executor rejects it).
function loadFile(file) {
  return new Promise((resolve) => {
    if (file.endsWith('.mjs')) {
      resolve(importModule(file));
      return;
    }
    try {
      resolve(require(file));
    } catch (err) {
      if (err && (err.code === 'ERR_REQUIRE_ESM' || err.code === 'ERR_REQUIRE_ASYNC_MODULE')) {
        resolve(importModule(file));
        return;
      }
      throw err;
    }
  });
}

function loadModule(file) {
  let promise = moduleCache.get(file);
  if (!promise) {
    promise = loadFile(file).catch((err) => {
      moduleCache.delete(file); // retry on the next request
      throw mapLoadError(err, file);
    });
    moduleCache.set(file, promise);
  }
  return promise;
}

// A promise of the user function for a handler string; rejects with an AgentError / the user's load error.
function loadHandler(handlerString, codeDir) {
  return new Promise((resolve) => {
    const handler = String(handlerString || '');
    const dot = handler.lastIndexOf('.');
    if (dot <= 0 || dot === handler.length - 1) {
      throw new AgentError('InvalidHandlerName', `Invalid handler name '${handler}'.`);
    }
    const moduleName = handler.slice(0, dot);
    const exportName = handler.slice(dot + 1);
    const base = path.resolve(codeDir, moduleName);
    const file = resolveModuleFile(base);
    if (!file) throw new AgentError('ImportModuleError', `Module '${base}' is missing.`);
    resolve(loadModule(file).then((mod) => exportedFunction(mod, moduleName, exportName)));
  });
}

function exportedFunction(mod, moduleName, exportName) {
  let fn = mod == null ? undefined : mod[exportName];
  if (typeof fn !== 'function' && mod && mod.default && typeof mod.default === 'object') {
    fn = mod.default[exportName];
  }
  if (typeof fn !== 'function') {
    throw new AgentError('HandlerNotFound', `Handler '${exportName}' is missing on module '${moduleName}'`);
  }
  return fn;
}

module.exports = { loadHandler };
