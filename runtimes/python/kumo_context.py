"""The `context` object handed to Python handlers (FC_RUNTIME.md §2.4), built from one request's X-Fc headers.

Every attribute exists in FC's snake_case spelling and in the camelCase spelling of the other runtimes.
"""
import base64
import json
import logging
import os


def _int(value, default=0):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class Credentials(object):
    def __init__(self, access_key_id, access_key_secret, security_token):
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.security_token = security_token

    accessKeyId = property(lambda self: self.access_key_id)
    accessKeySecret = property(lambda self: self.access_key_secret)
    securityToken = property(lambda self: self.security_token)

    def to_dict(self):
        return {'accessKeyId': self.access_key_id, 'accessKeySecret': self.access_key_secret,
                'securityToken': self.security_token}


class FunctionMeta(object):
    def __init__(self, name, handler, memory, timeout, initializer, initialization_timeout):
        self.name = name
        self.handler = handler
        self.memory = memory
        self.timeout = timeout
        self.initializer = initializer
        self.initialization_timeout = initialization_timeout

    initializationTimeout = property(lambda self: self.initialization_timeout)

    def to_dict(self):
        return {'name': self.name, 'handler': self.handler, 'memory': self.memory, 'timeout': self.timeout,
                'initializer': self.initializer, 'initializationTimeout': self.initialization_timeout}


class ServiceMeta(object):
    def __init__(self, name, log_project, log_store, qualifier, version_id):
        self.name = name
        self.log_project = log_project
        self.log_store = log_store
        self.qualifier = qualifier
        self.version_id = version_id

    logProject = property(lambda self: self.log_project)
    logStore = property(lambda self: self.log_store)
    versionId = property(lambda self: self.version_id)

    def to_dict(self):
        return {'name': self.name, 'logProject': self.log_project, 'logStore': self.log_store,
                'qualifier': self.qualifier, 'versionId': self.version_id}


class Tracing(object):
    def __init__(self, span_context, base64_baggages, jaeger_endpoint):
        self.span_context = span_context
        self.jaeger_endpoint = jaeger_endpoint
        self.span_baggages = {}
        if base64_baggages:
            try:
                self.span_baggages = json.loads(base64.b64decode(base64_baggages))
            except ValueError:
                pass

    openTracingSpanContext = property(lambda self: self.span_context)
    openTracingSpanBaggages = property(lambda self: self.span_baggages)
    jaegerEndpoint = property(lambda self: self.jaeger_endpoint)

    def to_dict(self):
        return {'openTracingSpanContext': self.span_context, 'openTracingSpanBaggages': self.span_baggages,
                'jaegerEndpoint': self.jaeger_endpoint}


class FCContext(object):
    def __init__(self, request_id, credentials, function, service, region, account_id, retry_count, tracing):
        self.request_id = request_id
        self.credentials = credentials
        self.function = function
        self.service = service
        self.region = region
        self.account_id = account_id
        self.retry_count = retry_count
        self.tracing = tracing
        self.logger = logging.getLogger()

    requestId = property(lambda self: self.request_id)
    accountId = property(lambda self: self.account_id)
    retryCount = property(lambda self: self.retry_count)

    def getLogger(self):
        # The root logger prints with the request id of the calling thread's current request.
        return self.logger

    def to_dict(self):
        return {'requestId': self.request_id, 'credentials': self.credentials.to_dict(),
                'function': self.function.to_dict(), 'service': self.service.to_dict(), 'region': self.region,
                'accountId': self.account_id, 'retryCount': self.retry_count, 'tracing': self.tracing.to_dict()}

    def to_json(self):
        return json.dumps(self.to_dict())


def from_headers(headers, env=None):
    """`headers` is any case-insensitive mapping with .get(); `env` supplies fallbacks for absent headers."""
    env = os.environ if env is None else env

    def h(name, fallback_env=None):
        value = headers.get(name)
        if value is None and fallback_env:
            value = env.get(fallback_env)
        return value if value is not None else ''

    return FCContext(
        request_id=h('x-fc-request-id'),
        credentials=Credentials(h('x-fc-access-key-id'), h('x-fc-access-key-secret'), h('x-fc-security-token')),
        function=FunctionMeta(
            name=h('x-fc-function-name', 'FC_FUNCTION_NAME'),
            handler=h('x-fc-function-handler', 'FC_FUNCTION_HANDLER'),
            memory=_int(h('x-fc-function-memory', 'FC_FUNCTION_MEMORY_SIZE')),
            timeout=_int(h('x-fc-function-timeout')),
            initializer=h('x-fc-function-initializer'),
            initialization_timeout=_int(h('x-fc-initialization-timeout')),
        ),
        service=ServiceMeta(
            name=h('x-fc-service-name', 'FC_SERVICE_NAME'),
            log_project=h('x-fc-service-logproject'),
            log_store=h('x-fc-service-logstore'),
            qualifier=h('x-fc-qualifier', 'FC_QUALIFIER'),
            version_id=h('x-fc-version-id'),
        ),
        region=h('x-fc-region', 'FC_REGION'),
        account_id=h('x-fc-account-id', 'FC_ACCOUNT_ID'),
        retry_count=_int(h('x-fc-retry-count')),
        tracing=Tracing(h('x-fc-tracing-opentracing-span-context'), h('x-fc-tracing-opentracing-span-baggages'),
                        h('x-fc-tracing-jaeger-endpoint')),
    )
