import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { readActions } from './actions.js';
import { compact } from './funcraft.js';
import type { Project, ProjectDomain, ProjectService } from './project.js';
import type { YamlFile } from './yaml-doc.js';

const str = z.string();
const int = z.number().int();
const loose = z.record(z.string(), z.unknown());

const functionProps = z.strictObject({
  name: str,
  description: str.optional(),
  runtime: str,
  handler: str.optional(),
  initializer: str.optional(),
  initializationTimeout: int.optional(),
  memorySize: int.optional(),
  timeout: int.optional(),
  instanceConcurrency: int.optional(),
  instanceType: str.optional(),
  environmentVariables: z.record(z.string(), z.union([str, z.number(), z.boolean()])).optional(),
  codeUri: str.optional(),
  caPort: int.optional(),
  customContainerConfig: z
    .strictObject({ image: str, command: str.optional(), args: str.optional() })
    .optional(),
  customRuntimeConfig: z
    .strictObject({ command: z.array(str).optional(), args: z.array(str).optional() })
    .optional(),
  layers: z.array(str).optional(),
  instanceLifecycleConfig: loose.optional(),
});

const trigger = z.strictObject({
  name: str,
  type: z.enum(['http', 'timer'], {
    error: "a trigger type must be 'http' or 'timer' (others cannot fire in Kumo)",
  }),
  qualifier: str.optional(),
  role: str.optional(),
  config: loose,
});

const props = z.strictObject({
  region: str.optional(),
  service: z.strictObject({
    name: str,
    description: str.optional(),
    role: str.optional(),
    internetAccess: z.boolean().optional(),
    logConfig: z.union([loose, z.literal('auto')]).optional(),
    vpcConfig: z.union([loose, z.literal('auto')]).optional(),
    nasConfig: z.union([loose, z.literal('auto')]).optional(),
    tracingConfig: z.unknown().optional(),
  }),
  function: functionProps,
  triggers: z.array(trigger).optional(),
  customDomains: z
    .array(
      z.strictObject({
        domainName: str,
        protocol: str.optional(),
        routeConfigs: z.array(
          z.strictObject({
            path: str,
            serviceName: str.optional(),
            functionName: str.optional(),
            qualifier: str.optional(),
            methods: z.array(str).optional(),
          }),
        ),
      }),
    )
    .optional(),
});

const top = z.strictObject({
  edition: z.union([str, z.number()]),
  name: str.optional(),
  access: str.optional(),
  vars: loose.optional(),
  services: z.record(z.string(), z.unknown()),
});

/** Reads a Serverless Devs `s.yaml` (component `devsapp/fc` or `fc`) into a Project, with `${vars.x}` substituted. */
export function readServerlessDevs(yaml: YamlFile): Project {
  const root = dirname(yaml.file);
  const doc = yaml.parse(top, yaml.data, []);
  const vars = doc.vars ?? {};
  const services = new Map<string, ProjectService>();
  const customDomains: ProjectDomain[] = [];
  for (const [key, raw] of Object.entries(doc.services)) {
    const path = ['services', key];
    const { component } = yaml.parse(z.object({ component: str }), raw, path);
    if (!['devsapp/fc', 'fc'].includes(component)) {
      throw yaml.error(
        [...path, 'component'],
        `component '${component}' is not supported: Kumo deploys devsapp/fc`,
      );
    }
    const p = yaml.parse(
      props,
      substitute(yaml, (raw as { props?: unknown }).props, vars, [...path, 'props']),
      [...path, 'props'],
    );
    const f = p.function;
    if (f.codeUri && !existsSync(resolve(root, f.codeUri)))
      throw yaml.error(
        [...path, 'props', 'function', 'codeUri'],
        `${f.codeUri} does not exist (codeUri is relative to the s.yaml's folder)`,
      );
    const service = services.get(p.service.name) ?? {
      serviceName: p.service.name,
      config: compact({
        description: p.service.description,
        role: p.service.role,
        internetAccess: p.service.internetAccess,
        logConfig: typeof p.service.logConfig === 'object' ? p.service.logConfig : undefined,
      }),
      functions: [],
    };
    services.set(p.service.name, service);
    const actionsPath = [...path, 'actions'];
    const rawActions = (raw as { actions?: unknown }).actions;
    service.functions.push({
      functionName: f.name,
      actions: readActions(yaml, root, substitute(yaml, rawActions, vars, actionsPath), actionsPath),
      codeDir: f.codeUri ? resolve(root, f.codeUri) : undefined,
      config: compact({
        runtime: f.runtime,
        handler: f.handler ?? (f.runtime.startsWith('custom') ? 'index.handler' : undefined),
        initializer: f.initializer,
        initializationTimeout: f.initializationTimeout,
        description: f.description,
        memorySize: f.memorySize,
        timeout: f.timeout,
        instanceConcurrency: f.instanceConcurrency,
        instanceType: f.instanceType,
        environmentVariables:
          f.environmentVariables &&
          Object.fromEntries(Object.entries(f.environmentVariables).map(([k, v]) => [k, String(v)])),
        caPort: f.caPort,
        customContainerConfig: f.customContainerConfig,
        customRuntimeConfig: f.customRuntimeConfig,
        layers: f.layers,
        instanceLifecycleConfig: f.instanceLifecycleConfig,
      }),
      triggers: (p.triggers ?? []).map((t) => ({
        triggerName: t.name,
        triggerType: t.type,
        qualifier: t.qualifier,
        triggerConfig: t.config,
      })),
    });
    for (const d of p.customDomains ?? []) {
      customDomains.push({
        domainName: d.domainName,
        protocol: d.protocol ?? 'HTTP',
        routes: d.routeConfigs.map((r) => ({
          path: r.path,
          serviceName: r.serviceName ?? p.service.name,
          functionName: r.functionName ?? f.name,
          qualifier: r.qualifier,
          methods: r.methods,
        })),
      });
    }
  }
  return { file: yaml.file, services: [...services.values()], customDomains };
}

/** Replaces `${vars.name}` (and `${env.NAME}`) in every string; an unknown variable is a located error. */
function substitute(
  yaml: YamlFile,
  value: unknown,
  vars: Record<string, unknown>,
  path: (string | number)[],
): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{\s*(vars|env)\.([\w-]+)\s*\}/g, (_m, scope: string, name: string) => {
      const found = scope === 'vars' ? vars[name] : process.env[name];
      if (found === undefined) throw yaml.error(path, `\${${scope}.${name}} is not defined`);
      return String(found);
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(yaml, v, vars, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substitute(yaml, v, vars, [...path, k])]),
    );
  }
  return value;
}
