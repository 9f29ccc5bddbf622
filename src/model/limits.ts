/** FC 2.0 limits (FC_RUNTIME.md limits table) that Kumo validates against. */
export const LIMITS = {
  nameMaxLength: 128,
  descriptionMaxLength: 256,
  memoryMinMb: 128,
  memoryMaxMb: 3072,
  memoryStepMb: 64,
  timeoutMinSeconds: 1,
  timeoutMaxSeconds: 600,
  initializationTimeoutMaxSeconds: 300,
  instanceConcurrencyMax: 100,
  environmentBytesMax: 4096,
  syncPayloadBytesMax: 6 * 1024 * 1024,
  /** A function's answer to a synchronous call (FC 2.0: 6 MB for the sync request and response). */
  syncResponseBytesMax: 6 * 1024 * 1024,
  asyncPayloadBytesMax: 128 * 1024,
  listLimitMax: 100,
  logResultBytesMax: 4096,
  tmpSizeMb: 512,
  /** Body of every management call except function create/update (which carry the code package). */
  managementBodyBytesMax: 256 * 1024,
  /** Identifiers of other clouds' resources (VPC, vSwitch, security group, SLS project, instance type…). */
  identifierMaxLength: 256,
  /** RAM role ARNs, trigger source ARNs, OCI image references, URLs and mount paths. */
  referenceMaxLength: 1024,
  vSwitchIdsMax: 16,
  nasMountPointsMax: 5,
  ossMountPointsMax: 5,
  /** customRuntimeConfig command/args entries, customDNS entries. */
  listEntriesMax: 64,
  /** One command or argument, a DNS option value. */
  argumentMaxLength: 4096,
  /** customContainerConfig.command/args (JSON strings), a timer trigger's payload. */
  jsonStringMaxLength: 16 * 1024,
  cronExpressionMaxLength: 256,
  /** certConfig certificate and private key (PEM). */
  pemMaxLength: 64 * 1024,
  customDomainRoutesMax: 100,
  tracingParamsMax: 32,
  /** FC's tag limits: tags per resource, key and value length (keys and values are case-sensitive). */
  tagsPerResourceMax: 20,
  tagKeyMaxLength: 128,
  tagValueMaxLength: 128,
} as const;

export const DEFAULTS = {
  memorySize: 128,
  timeout: 3,
  initializationTimeout: 3,
  instanceConcurrency: 1,
  caPort: 9000,
} as const;

export const NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_-]{0,127}$/;
