import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import type { Project, ProjectDomain, ProjectFunction, ProjectService } from './project.js';
import type { YamlFile } from './yaml-doc.js';

const str = z.string();
const int = z.number().int();
const loose = z.record(z.string(), z.unknown());

const serviceProps = z.strictObject({
  Description: str.optional(),
  Role: str.optional(),
  Policies: z.unknown().optional(),
  InternetAccess: z.boolean().optional(),
  VpcConfig: z.union([loose, z.literal('Auto')]).optional(),
  LogConfig: z.union([loose, z.literal('Auto')]).optional(),
  NasConfig: z.union([loose, z.literal('Auto')]).optional(),
  TracingConfig: z.unknown().optional(),
});

const functionProps = z.strictObject({
  Handler: str.optional(),
  Runtime: str,
  CodeUri: str.optional(),
  Initializer: str.optional(),
  InitializationTimeout: int.optional(),
  Description: str.optional(),
  MemorySize: int.optional(),
  Timeout: int.optional(),
  InstanceConcurrency: int.optional(),
  InstanceType: str.optional(),
  EnvironmentVariables: z.record(z.string(), z.union([str, z.number(), z.boolean()])).optional(),
  Layers: z.array(str).optional(),
  CAPort: int.optional(),
  CustomContainerConfig: z
    .strictObject({
      Image: str,
      Command: str.optional(),
      Args: str.optional(),
      AccelerationType: str.optional(),
    })
    .optional(),
  CustomRuntimeConfig: z
    .strictObject({ Command: z.array(str).optional(), Args: z.array(str).optional() })
    .optional(),
  InstanceLifecycleConfig: loose.optional(),
});

const httpEvent = z.strictObject({
  Type: z.literal('HTTP'),
  Properties: z.strictObject({
    AuthType: z.string().regex(/^(anonymous|function)$/i, 'AuthType must be ANONYMOUS or FUNCTION'),
    Methods: z.array(str).min(1),
    Qualifier: str.optional(),
    InvocationRole: str.optional(),
  }),
});
const timerEvent = z.strictObject({
  Type: z.literal('Timer'),
  Properties: z.strictObject({
    CronExpression: str,
    Payload: str.optional(),
    Enable: z.boolean().optional(),
    Qualifier: str.optional(),
    InvocationRole: str.optional(),
  }),
});
const event = z.union([httpEvent, timerEvent], {
  error: 'an event must be Type HTTP or Timer (the other Funcraft event types cannot fire in Kumo)',
});

const domainProps = z.strictObject({
  Protocol: str.optional(),
  RouteConfig: z.strictObject({
    Routes: z.record(
      z.string(),
      z.strictObject({
        ServiceName: str,
        FunctionName: str,
        Qualifier: str.optional(),
        Methods: z.array(str).optional(),
      }),
    ),
  }),
  CertConfig: loose.optional(),
});

const top = z.strictObject({
  ROSTemplateFormatVersion: z.string(),
  Transform: z.string().optional(),
  Resources: z.record(z.string(), z.unknown()),
  Parameters: z.unknown().optional(),
  Outputs: z.unknown().optional(),
  Mappings: z.unknown().optional(),
  Conditions: z.unknown().optional(),
});

/** Reads a Funcraft `template.yml` (`Aliyun::Serverless-2018-04-03`) into a Project. */
export function readFuncraft(yaml: YamlFile): Project {
  const root = dirname(yaml.file);
  const doc = yaml.parse(top, yaml.data, []);
  const services: ProjectService[] = [];
  const customDomains: ProjectDomain[] = [];
  for (const [name, resource] of Object.entries(doc.Resources)) {
    const path = ['Resources', name];
    const type = yaml.parse(z.object({ Type: z.string() }), resource, path).Type;
    if (type === 'Aliyun::Serverless::Service') {
      services.push(readService(yaml, root, name, resource as Record<string, unknown>, path));
    } else if (type === 'Aliyun::Serverless::CustomDomain') {
      const props = yaml.parse(domainProps, (resource as { Properties?: unknown }).Properties, [
        ...path,
        'Properties',
      ]);
      customDomains.push({
        domainName: name,
        protocol: props.Protocol ?? 'HTTP',
        routes: Object.entries(props.RouteConfig.Routes).map(([routePath, r]) => ({
          path: routePath,
          serviceName: r.ServiceName,
          functionName: r.FunctionName,
          qualifier: r.Qualifier,
          methods: r.Methods,
        })),
      });
    } else {
      throw yaml.error(
        [...path, 'Type'],
        `unsupported resource type '${type}' (Kumo deploys Aliyun::Serverless::Service, ::Function inside a service, and ::CustomDomain)`,
      );
    }
  }
  return { file: yaml.file, services, customDomains };
}

function readService(
  yaml: YamlFile,
  root: string,
  name: string,
  resource: Record<string, unknown>,
  path: string[],
): ProjectService {
  const props = yaml.parse(serviceProps.optional(), resource.Properties, [...path, 'Properties']) ?? {};
  const functions: ProjectFunction[] = [];
  for (const [key, child] of Object.entries(resource)) {
    if (key === 'Type' || key === 'Properties') continue;
    const fnPath = [...path, key];
    const functionType = z.literal('Aliyun::Serverless::Function', {
      error: 'a key inside a service must be a function (Type: Aliyun::Serverless::Function)',
    });
    yaml.parse(z.object({ Type: functionType }), child, fnPath);
    const fn = child as { Properties?: unknown; Events?: unknown };
    const p = yaml.parse(functionProps, fn.Properties, [...fnPath, 'Properties']);
    const isContainer = p.Runtime === 'custom-container';
    if (!isContainer && !p.CodeUri) throw yaml.error([...fnPath, 'Properties'], 'CodeUri is required');
    if (p.CodeUri?.startsWith('oss://'))
      throw yaml.error(
        [...fnPath, 'Properties', 'CodeUri'],
        'oss:// code is not supported by Kumo: point CodeUri at a local folder',
      );
    if (p.CodeUri && !existsSync(resolve(root, p.CodeUri)))
      throw yaml.error(
        [...fnPath, 'Properties', 'CodeUri'],
        `${p.CodeUri} does not exist (CodeUri is relative to the template's folder)`,
      );
    const events = yaml.parse(z.record(z.string(), event).optional(), fn.Events, [...fnPath, 'Events']) ?? {};
    functions.push({
      functionName: key,
      codeDir: p.CodeUri ? resolve(root, p.CodeUri) : undefined,
      config: compact({
        runtime: p.Runtime,
        handler: p.Handler ?? (p.Runtime.startsWith('custom') ? 'index.handler' : undefined),
        initializer: p.Initializer,
        initializationTimeout: p.InitializationTimeout,
        description: p.Description,
        memorySize: p.MemorySize,
        timeout: p.Timeout,
        instanceConcurrency: p.InstanceConcurrency,
        instanceType: p.InstanceType,
        environmentVariables:
          p.EnvironmentVariables &&
          Object.fromEntries(Object.entries(p.EnvironmentVariables).map(([k, v]) => [k, String(v)])),
        layers: p.Layers,
        caPort: p.CAPort,
        customContainerConfig:
          p.CustomContainerConfig &&
          compact({
            image: p.CustomContainerConfig.Image,
            command: p.CustomContainerConfig.Command,
            args: p.CustomContainerConfig.Args,
            accelerationType: p.CustomContainerConfig.AccelerationType,
          }),
        customRuntimeConfig:
          p.CustomRuntimeConfig &&
          compact({ command: p.CustomRuntimeConfig.Command, args: p.CustomRuntimeConfig.Args }),
        instanceLifecycleConfig: p.InstanceLifecycleConfig,
      }),
      triggers: Object.entries(events).map(([triggerName, e]) =>
        e.Type === 'HTTP'
          ? {
              triggerName,
              triggerType: 'http',
              qualifier: e.Properties.Qualifier,
              triggerConfig: {
                authType: e.Properties.AuthType.toLowerCase(),
                methods: e.Properties.Methods.map((m) => m.toUpperCase()),
              },
            }
          : {
              triggerName,
              triggerType: 'timer',
              qualifier: e.Properties.Qualifier,
              triggerConfig: compact({
                cronExpression: e.Properties.CronExpression,
                payload: e.Properties.Payload,
                enable: e.Properties.Enable ?? true,
              }),
            },
      ),
    });
  }
  return {
    serviceName: name,
    config: compact({
      description: props.Description,
      role: props.Role,
      internetAccess: props.InternetAccess,
      logConfig: typeof props.LogConfig === 'object' ? props.LogConfig : undefined,
      vpcConfig: typeof props.VpcConfig === 'object' ? props.VpcConfig : undefined,
      nasConfig: typeof props.NasConfig === 'object' ? props.NasConfig : undefined,
    }),
    functions,
  };
}

/** Drops undefined fields, so "not set in the template" never overwrites a server default. */
export function compact<T extends Record<string, unknown>>(value: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}
