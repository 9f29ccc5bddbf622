'use strict';
// FC `context` object, built from the X-Fc-* headers of one request.

const createContextLogger = require('./logger.cjs').createContextLogger;

function str(headers, name, envName) {
  const value = headers[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value[0];
  if (envName && process.env[envName] !== undefined) return process.env[envName];
  return '';
}

function int(headers, name, envName) {
  const n = Number.parseInt(str(headers, name, envName), 10);
  return Number.isFinite(n) ? n : 0;
}

function parseBaggages(value) {
  if (!value) return {};
  try {
    return JSON.parse(Buffer.from(value, 'base64').toString());
  } catch (_err) {
    return {};
  }
}

// The flag is one global shared by every call of the instance, as on FC (see event-loop.cjs).
require('./event-loop.cjs');

function createContext(headers, requestId) {
  return {
    requestId,
    credentials: {
      accessKeyId: str(headers, 'x-fc-access-key-id'),
      accessKeySecret: str(headers, 'x-fc-access-key-secret'),
      securityToken: str(headers, 'x-fc-security-token'),
    },
    function: {
      name: str(headers, 'x-fc-function-name', 'FC_FUNCTION_NAME'),
      handler: str(headers, 'x-fc-function-handler', 'FC_FUNCTION_HANDLER'),
      memory: int(headers, 'x-fc-function-memory', 'FC_FUNCTION_MEMORY_SIZE'),
      timeout: int(headers, 'x-fc-function-timeout'),
      initializer: str(headers, 'x-fc-function-initializer'),
      initializationTimeout: int(headers, 'x-fc-initialization-timeout'),
    },
    service: {
      name: str(headers, 'x-fc-service-name', 'FC_SERVICE_NAME'),
      logProject: str(headers, 'x-fc-service-logproject'),
      logStore: str(headers, 'x-fc-service-logstore'),
      qualifier: str(headers, 'x-fc-qualifier', 'FC_QUALIFIER'),
      versionId: str(headers, 'x-fc-version-id'),
    },
    region: str(headers, 'x-fc-region', 'FC_REGION'),
    accountId: str(headers, 'x-fc-account-id', 'FC_ACCOUNT_ID'),
    logger: createContextLogger(requestId),
    retryCount: int(headers, 'x-fc-retry-count'),
    tracing: {
      openTracingSpanContext: str(headers, 'x-fc-tracing-opentracing-span-context'),
      openTracingSpanBaggages: parseBaggages(str(headers, 'x-fc-tracing-opentracing-span-baggages')),
      jaegerEndpoint: str(headers, 'x-fc-tracing-jaeger-endpoint'),
    },
    get waitsForEmptyEventLoopBeforeCallback() {
      return global.FCWaitForEmptyEventLoop;
    },
    set waitsForEmptyEventLoopBeforeCallback(value) {
      global.FCWaitForEmptyEventLoop = value;
    },
  };
}

module.exports = { createContext };
