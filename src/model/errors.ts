/**
 * The one error catalogue: every FC error code Kumo answers with, its HTTP status, and whether it is the
 * caller's fault (user) or Kumo's (system). `docs/errors.md` is checked against this table by a test.
 */
export const ERROR_CATALOGUE = {
  InvalidArgument: { status: 400, kind: 'user', description: 'A field, header or body is invalid.' },
  MissingRequiredHeader: { status: 400, kind: 'user', description: 'A required header is missing.' },
  PathNotSupported: { status: 400, kind: 'user', description: 'No route matches the method and path.' },
  NotSupported: {
    status: 400,
    kind: 'user',
    description:
      "The call needs a part of Alibaba Cloud a self-hosted server has not (fc2's OSS upload of large code packages).",
  },
  EntityTooLarge: { status: 400, kind: 'user', description: 'The payload or code package is too large.' },
  LimitExceeded: { status: 400, kind: 'user', description: 'A per-account or per-service limit is reached.' },
  SignatureNotMatch: { status: 403, kind: 'user', description: 'The request signature does not match.' },
  InvalidAccessKeyID: { status: 403, kind: 'user', description: 'The access key id is unknown.' },
  AccessDenied: { status: 403, kind: 'user', description: 'The caller may not do this.' },
  RequestTimeTooSkewed: {
    status: 403,
    kind: 'user',
    description: 'The signed Date (or x-fc-date) is more than 15 minutes from the server clock.',
  },
  SignatureNonceUsed: {
    status: 400,
    kind: 'user',
    description: 'FC 3.0: the x-acs-signature-nonce was already used within the signature window (a replay).',
  },
  ServiceNotFound: { status: 404, kind: 'user', description: 'The service does not exist.' },
  FunctionNotFound: { status: 404, kind: 'user', description: 'The function does not exist.' },
  TriggerNotFound: { status: 404, kind: 'user', description: 'The trigger does not exist.' },
  VersionNotFound: { status: 404, kind: 'user', description: 'The version does not exist.' },
  AliasNotFound: { status: 404, kind: 'user', description: 'The alias does not exist.' },
  DomainNameNotFound: { status: 404, kind: 'user', description: 'The custom domain does not exist.' },
  OnDemandConfigNotFound: {
    status: 404,
    kind: 'user',
    description: 'The function has no on-demand config for this qualifier.',
  },
  InstanceNotFound: {
    status: 404,
    kind: 'user',
    description: 'No running instance of the function has this id (instanceExec).',
  },
  AsyncTaskNotFound: { status: 404, kind: 'user', description: 'The async invocation does not exist.' },
  AsyncConfigNotExists: {
    status: 404,
    kind: 'user',
    description: 'The function has no async invoke config for this qualifier.',
  },
  LogNotFound: { status: 404, kind: 'user', description: 'No such log entries.' },
  LayerNotFound: {
    status: 404,
    kind: 'user',
    description: 'The layer or layer version does not exist (or names another account).',
  },
  ServiceAlreadyExists: { status: 409, kind: 'user', description: 'A service with this name exists.' },
  FunctionAlreadyExists: { status: 409, kind: 'user', description: 'A function with this name exists.' },
  TriggerAlreadyExists: { status: 409, kind: 'user', description: 'A trigger with this name exists.' },
  AliasAlreadyExists: { status: 409, kind: 'user', description: 'An alias with this name exists.' },
  StatefulAsyncInvocationAlreadyExists: {
    status: 409,
    kind: 'user',
    description: 'The function already has an async invocation with this x-fc-stateful-async-invocation-id.',
  },
  DomainNameAlreadyExists: {
    status: 409,
    kind: 'user',
    description: 'A custom domain with this name exists.',
  },
  ServiceNotEmpty: {
    status: 409,
    kind: 'user',
    description: 'The service still has functions, versions or aliases.',
  },
  RequestTimeout: {
    status: 408,
    kind: 'user',
    description: 'The client did not send the headers or the body in time.',
  },
  PreconditionFailed: { status: 412, kind: 'user', description: 'The If-Match etag does not match.' },
  URITooLong: { status: 414, kind: 'user', description: 'The request path or one of its parts is too long.' },
  RequestHeaderFieldsTooLarge: {
    status: 431,
    kind: 'user',
    description: 'The request headers are too large.',
  },
  MethodNotAllowed: {
    // FC answers a method outside the trigger's list with 403 FcCommonError (docs 85445).
    status: 403,
    kind: 'user',
    description: 'The HTTP trigger does not allow this method.',
  },
  ResourceExhausted: { status: 429, kind: 'user', description: 'No instance can take the call now.' },
  ResourceThrottled: {
    status: 429,
    kind: 'user',
    description: "The qualifier's on-demand instances are at its maximumInstanceCount and the queue is full.",
  },
  TooManyConnections: {
    status: 429,
    kind: 'user',
    description: 'The client (or all clients) already hold the most connections allowed.',
  },
  TooManySignInAttempts: {
    status: 429,
    kind: 'user',
    description:
      'Too many failed console sign-ins from this address (or overall); wait for the window to pass.',
  },
  InternalServerError: { status: 500, kind: 'system', description: 'Kumo failed; see the server log.' },
  FunctionNotStarted: {
    status: 502,
    kind: 'user',
    description: 'The instance did not start listening on its port in time.',
  },
  CAExited: { status: 502, kind: 'user', description: 'The instance process exited before it was ready.' },
  CAFilePermission: { status: 502, kind: 'user', description: 'The bootstrap file is not executable.' },
  ServiceUnavailable: { status: 503, kind: 'system', description: 'Kumo is shutting down or not ready.' },
} as const satisfies Record<string, { status: number; kind: 'user' | 'system'; description: string }>;

export type FcErrorCode = keyof typeof ERROR_CATALOGUE;

/** An FC platform error: answered as `{ErrorCode, ErrorMessage, RequestId}` with the catalogue's status. */
export class FcError extends Error {
  readonly code: FcErrorCode;
  readonly status: number;

  /** `status` overrides the catalogue where FC itself differs by path. */
  constructor(code: FcErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options);
    this.name = `FcError [${code}]`;
    this.code = code;
    this.status = options?.status ?? ERROR_CATALOGUE[code].status;
  }

  get isUserError(): boolean {
    return ERROR_CATALOGUE[this.code].kind === 'user';
  }

  toBody(requestId: string): Record<string, string> {
    // Code/Message too, so FC 3.0 style clients can read the error as well.
    return {
      ErrorCode: this.code,
      ErrorMessage: this.message,
      RequestId: requestId,
      Code: this.code,
      Message: this.message,
    };
  }
}

export const invalidArgument = (message: string): FcError => new FcError('InvalidArgument', message);
