// The official SDK ships no types; this declares the part the tests use.
declare module '@alicloud/fc2' {
  interface FcResponse<T = Record<string, unknown>> {
    headers: Record<string, string>;
    data: T;
  }
  type Json = Record<string, unknown>;
  interface VersionData {
    versionId: string;
    description: string;
    createdTime: string;
    lastModifiedTime: string;
  }
  interface ProvisionConfigData {
    resource: string;
    target: number;
    current: number;
    currentError: string;
    scheduledActions: Json[];
    targetTrackingPolicies: Json[];
    alwaysAllocateCPU: boolean;
  }
  interface InstanceData {
    instanceId: string;
    versionId: string;
    state: string;
    startTime: string;
    provisioned: boolean;
  }
  export default class FC {
    constructor(
      accountId: string,
      config: {
        accessKeyID: string;
        accessKeySecret: string;
        securityToken?: string;
        region: string;
        endpoint: string;
        timeout?: number;
      },
    );
    createService(name: string, options?: Json, headers?: Json): Promise<FcResponse>;
    listServices(
      options?: Json,
      headers?: Json,
    ): Promise<FcResponse<{ services: Json[]; nextToken?: string }>>;
    getService(name: string, headers?: Json, qualifier?: string): Promise<FcResponse>;
    updateService(name: string, options?: Json, headers?: Json): Promise<FcResponse>;
    deleteService(name: string, options?: Json, headers?: Json): Promise<FcResponse>;
    createFunction(service: string, options: Json, headers?: Json): Promise<FcResponse>;
    updateTrigger(
      service: string,
      fn: string,
      trigger: string,
      options: Json,
      headers?: Json,
    ): Promise<FcResponse>;
    listFunctions(
      service: string,
      options?: Json,
      headers?: Json,
      qualifier?: string,
    ): Promise<FcResponse<{ functions: Json[]; nextToken?: string }>>;
    getFunction(service: string, fn: string, headers?: Json, qualifier?: string): Promise<FcResponse>;
    getFunctionCode(
      service: string,
      fn: string,
      headers?: Json,
      qualifier?: string,
    ): Promise<FcResponse<{ url: string; checksum: string }>>;
    updateFunction(service: string, fn: string, options: Json, headers?: Json): Promise<FcResponse>;
    deleteFunction(service: string, fn: string, options?: Json, headers?: Json): Promise<FcResponse>;
    invokeFunction(
      service: string,
      fn: string,
      event: string | Buffer | null,
      headers?: Json,
      qualifier?: string,
      opts?: Json,
    ): Promise<FcResponse<string | Json>>;
    createCustomDomain(domainName: string, options?: Json, headers?: Json): Promise<FcResponse>;
    getCustomDomain(domainName: string, headers?: Json): Promise<FcResponse>;
    listCustomDomains(options?: Json, headers?: Json): Promise<FcResponse<{ customDomains: Json[] }>>;
    updateCustomDomain(domainName: string, options?: Json, headers?: Json): Promise<FcResponse>;
    deleteCustomDomain(domainName: string, options?: Json, headers?: Json): Promise<FcResponse>;
    publishVersion(service: string, description?: string, headers?: Json): Promise<FcResponse<VersionData>>;
    listVersions(
      service: string,
      options?: Json,
      headers?: Json,
    ): Promise<FcResponse<{ versions: VersionData[]; nextToken?: string; direction: string }>>;
    deleteVersion(service: string, versionId: string, headers?: Json): Promise<FcResponse>;
    createAlias(
      service: string,
      alias: string,
      versionId: string,
      options?: Json,
      headers?: Json,
    ): Promise<FcResponse>;
    getAlias(service: string, alias: string, headers?: Json): Promise<FcResponse>;
    updateAlias(
      service: string,
      alias: string,
      versionId: string | null,
      options?: Json,
      headers?: Json,
    ): Promise<FcResponse>;
    deleteAlias(service: string, alias: string, headers?: Json): Promise<FcResponse>;
    listAliases(
      service: string,
      options?: Json,
      headers?: Json,
    ): Promise<FcResponse<{ aliases: Json[]; nextToken?: string }>>;
    publishLayerVersion(layerName: string, options?: Json, headers?: Json): Promise<FcResponse<Json>>;
    listLayers(options?: Json, headers?: Json): Promise<FcResponse<{ layers: Json[]; nextToken?: string }>>;
    listLayerVersions(
      layerName: string,
      options?: Json,
      headers?: Json,
    ): Promise<FcResponse<{ layers: Json[]; nextVersion?: number }>>;
    getLayerVersion(
      layerName: string,
      version: number | string,
      options?: Json,
      headers?: Json,
    ): Promise<FcResponse<Json>>;
    getLayerVersionByArn(arn: string, options?: Json, headers?: Json): Promise<FcResponse<Json>>;
    deleteLayerVersion(layerName: string, version: number | string, headers?: Json): Promise<FcResponse>;
    putLayerACL(layerName: string, options?: Json, headers?: Json): Promise<FcResponse>;
    putFunctionAsyncConfig(
      service: string,
      fn: string,
      qualifier: string | undefined,
      options: Json,
      headers?: Json,
    ): Promise<FcResponse<Json>>;
    getFunctionAsyncConfig(
      service: string,
      fn: string,
      qualifier?: string,
      headers?: Json,
    ): Promise<FcResponse<Json>>;
    deleteFunctionAsyncConfig(
      service: string,
      fn: string,
      qualifier?: string,
      headers?: Json,
    ): Promise<FcResponse>;
    listFunctionAsyncConfigs(
      service: string,
      fn: string,
      options?: Json,
      headers?: Json,
    ): Promise<FcResponse<{ configs: Json[]; nextToken?: string }>>;
    putProvisionConfig(
      service: string,
      fn: string,
      qualifier: string,
      options: Json,
      headers?: Json,
    ): Promise<FcResponse<ProvisionConfigData>>;
    getProvisionConfig(
      service: string,
      fn: string,
      qualifier: string,
      headers?: Json,
    ): Promise<FcResponse<ProvisionConfigData>>;
    listProvisionConfigs(
      options?: Json,
      headers?: Json,
    ): Promise<FcResponse<{ provisionConfigs: ProvisionConfigData[]; nextToken?: string }>>;
    putOnDemandConfig(
      service: string,
      fn: string,
      qualifier: string,
      options: Json,
      headers?: Json,
    ): Promise<FcResponse<{ resource: string; maximumInstanceCount: number }>>;
    getOnDemandConfig(
      service: string,
      fn: string,
      qualifier: string,
      options?: Json,
      headers?: Json,
    ): Promise<FcResponse<{ resource: string; maximumInstanceCount: number }>>;
    deleteOnDemandConfig(
      service: string,
      fn: string,
      qualifier: string,
      options?: Json,
      headers?: Json,
    ): Promise<FcResponse>;
    listOnDemandConfigs(
      options?: Json,
      headers?: Json,
    ): Promise<
      FcResponse<{ configs: Array<{ resource: string; maximumInstanceCount: number }>; nextToken?: string }>
    >;
    listInstances(
      service: string,
      fn: string,
      qualifier: string | undefined,
      options?: Json,
      headers?: Json,
    ): Promise<FcResponse<{ instances: InstanceData[] }>>;
    getAccountSettings(
      options?: Json,
      headers?: Json,
    ): Promise<FcResponse<{ availableAZs: string[]; defaultRole: string; limits?: Json }>>;
    tagResource(
      resourceArn: string,
      tags: Json,
      options?: Json,
      headers?: Json,
    ): Promise<FcResponse<unknown>>;
    untagResource(
      resourceArn: string,
      tagKeys: string[],
      all?: boolean,
      options?: Json,
      headers?: Json,
    ): Promise<FcResponse<unknown>>;
    getResourceTags(
      options: { resourceArn: string },
      headers?: Json,
    ): Promise<FcResponse<{ resourceArn: string; tags: Record<string, string> }>>;
    listReservedCapacities(
      options?: Json,
      headers?: Json,
    ): Promise<FcResponse<{ reservedCapacities: Json[]; nextToken?: string }>>;
    getAccountConfigs(config?: Json): Promise<FcResponse<Json>>;
    getTempCodeBucketPermission(
      service: string,
      fn: string,
      instanceType?: string,
      headers?: Json,
    ): Promise<FcResponse<Json>>;
    instanceExec(
      service: string,
      fn: string,
      qualifier: string,
      instanceId: string,
      options?: Json,
      hooks?: {
        onClose?(): void;
        onError?(error: Error): void;
        onStdout?(data: Buffer): void;
        onStderr?(data: Buffer): void;
      },
    ): Promise<{ websocket: import('ws').WebSocket; close(): void; sendMessage(data: Uint8Array): void }>;
    createTrigger(service: string, fn: string, options: Json, headers?: Json): Promise<FcResponse>;
    getTrigger(service: string, fn: string, trigger: string, headers?: Json): Promise<FcResponse>;
    get(path: string, query?: Json, headers?: Json): Promise<FcResponse<unknown>>;
    put(path: string, body?: unknown, headers?: Json): Promise<FcResponse<unknown>>;
    post(
      path: string,
      body?: unknown,
      headers?: Json,
      queries?: Json,
      opts?: Json,
    ): Promise<FcResponse<unknown>>;
  }
}
