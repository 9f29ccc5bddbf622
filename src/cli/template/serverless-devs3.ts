import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { compact } from './funcraft.js';
import type { Project, ProjectService } from './project.js';
import { readActions3 } from './sd3-actions.js';
import { ExpressionError, type ExpressionScope, evaluateText } from './sd3-expressions.js';
import type { YamlFile } from './yaml-doc.js';

const str = z.string();
const int = z.number().int();
const loose = z.record(z.string(), z.unknown());
const orAuto = z.union([z.literal('auto'), loose]);
const notYet = (what: string) =>
  z.never({
    error: `${what} is not deployed by Kumo from an s.yaml yet: set it through the API after deploying`,
  });

const trigger = z.strictObject({
  triggerName: str,
  triggerType: z.enum(['http', 'timer'], {
    error: "a trigger type must be 'http' or 'timer' (others cannot fire in Kumo)",
  }),
  description: str.optional(),
  qualifier: str.optional(),
  invocationRole: str.optional(),
  sourceArn: str.optional(),
  triggerConfig: loose,
});

const customDomain = z.strictObject({
  domainName: str.refine((d) => d !== 'auto', {
    error: "domainName 'auto' asks Alibaba Cloud for a test domain: name your own (e.g. api.localhost)",
  }),
  protocol: str.optional(),
  route: z.strictObject({ path: str, qualifier: str.optional(), methods: z.array(str).optional() }),
});

/** The fc3 component's props: FC 3.0's CreateFunction body plus `region`, `code`, `triggers`, `customDomain`. */
const props = z.strictObject({
  region: str.optional(),
  functionName: str,
  description: str.optional(),
  runtime: str,
  handler: str.optional(),
  code: z
    .union([str, z.never({ error: 'code must be a folder (OSS code cannot be fetched by Kumo)' })])
    .optional(),
  timeout: int.optional(),
  memorySize: int.optional(),
  cpu: z.number().optional(),
  diskSize: int.optional(),
  instanceConcurrency: int.optional(),
  environmentVariables: z.record(z.string(), z.union([str, z.number(), z.boolean()])).optional(),
  internetAccess: z.boolean().optional(),
  role: str.optional(),
  logConfig: orAuto.optional(),
  vpcConfig: orAuto.optional(),
  nasConfig: orAuto.optional(),
  ossMountConfig: loose.optional(),
  layers: z.array(str).optional(),
  customRuntimeConfig: loose.optional(),
  customContainerConfig: loose.optional(),
  customDNS: loose.optional(),
  instanceLifecycleConfig: loose.optional(),
  tracingConfig: loose.optional(),
  gpuConfig: loose.optional(),
  triggers: z.array(trigger).optional(),
  customDomain: customDomain.optional(),
  asyncInvokeConfig: notYet('asyncInvokeConfig').optional(),
  provisionConfig: notYet('provisionConfig').optional(),
  concurrencyConfig: notYet('concurrencyConfig').optional(),
  vpcBinding: notYet('vpcBinding').optional(),
});
type Props = z.infer<typeof props>;

const top = z.strictObject({
  edition: z.union([str, z.number()]),
  name: str.optional(),
  access: str.optional(),
  vars: loose.optional(),
  resources: z.record(z.string(), z.unknown()),
});

const COMPONENT = /^(devsapp\/)?fc3(@[\w.-]+)?$/;

/** Reads a Serverless Devs 3.x s.yaml (`edition: 3.0.0`, `resources:` of component `fc3`) into a Project. */
export function readServerlessDevs3(yaml: YamlFile): Project {
  const root = dirname(yaml.file);
  const doc = yaml.parse(top, yaml.data, []);
  const entries = Object.entries(doc.resources);
  for (const [key, raw] of entries) {
    const { component } = yaml.parse(z.object({ component: str }), raw, ['resources', key]);
    if (!COMPONENT.test(component)) {
      throw yaml.error(
        ['resources', key, 'component'],
        `component '${component}' is not supported: Kumo deploys component fc3 in an edition 3.0.0 s.yaml`,
      );
    }
  }
  const evaluated = new Map<string, unknown>();
  const evaluating = new Set<string>();
  const propsOf = (name: string): unknown => {
    if (evaluated.has(name)) return evaluated.get(name);
    const raw = doc.resources[name] as { props?: unknown } | undefined;
    if (raw === undefined) return undefined;
    if (evaluating.has(name))
      throw yaml.error(['resources', name, 'props'], `the props of '${name}' refer back to themselves`);
    evaluating.add(name);
    const value = substitute(yaml, raw.props, scopeOf(name), ['resources', name, 'props']);
    evaluating.delete(name);
    evaluated.set(name, value);
    return value;
  };
  const scopeOf = (name: string): ExpressionScope => ({
    vars: doc.vars ?? {},
    env: process.env,
    resourceProps: propsOf,
    self: { name, props: (doc.resources[name] as { props?: unknown }).props },
  });
  const services: ProjectService[] = entries.map(([key, raw]) => {
    const path = ['resources', key];
    const p = yaml.parse(props, propsOf(key), [...path, 'props']);
    const at = [...path, 'actions'];
    // Steps' values are evaluated like props; the keys are matched against the command (sd3-actions.ts).
    const rawActions = substitute(yaml, (raw as { actions?: unknown }).actions, scopeOf(key), at);
    return toService(p, root, readActions3(yaml, root, rawActions, at, 'deploy'));
  });
  return { file: yaml.file, services, customDomains: [] };
}

function toService(
  p: Props,
  root: string,
  actions: ProjectService['functions'][number]['actions'],
): ProjectService {
  const f = p.functionName;
  const { region: _r, code, triggers, customDomain: domain, ...fields } = p;
  const config = compact({
    ...fields,
    handler: fields.handler ?? (fields.runtime.startsWith('custom') ? 'index.handler' : undefined),
    environmentVariables:
      fields.environmentVariables &&
      Object.fromEntries(Object.entries(fields.environmentVariables).map(([k, v]) => [k, String(v)])),
    // `auto` asks Serverless Devs to create cloud resources (an SLS project, a VPC): nothing to create here.
    logConfig: fields.logConfig === 'auto' ? undefined : fields.logConfig,
    vpcConfig: fields.vpcConfig === 'auto' ? undefined : fields.vpcConfig,
    nasConfig: fields.nasConfig === 'auto' ? undefined : fields.nasConfig,
  });
  delete config.functionName;
  return {
    serviceName: f,
    fcVersion: 'v3',
    config: {},
    functions: [
      {
        functionName: f,
        actions,
        codeDir: code ? resolve(root, code) : undefined,
        config,
        triggers: (triggers ?? []).map((t) => ({
          triggerName: t.triggerName,
          triggerType: t.triggerType,
          qualifier: t.qualifier,
          triggerConfig: t.triggerConfig,
        })),
      },
    ],
    customDomains: domain && [
      {
        domainName: domain.domainName,
        protocol: domain.protocol ?? 'HTTP',
        routes: [
          {
            path: domain.route.path,
            serviceName: f,
            functionName: f,
            qualifier: domain.route.qualifier,
            methods: domain.route.methods,
          },
        ],
      },
    ],
  };
}

/** Evaluates the `${…}` expressions of every string in `value`; a failure is located in the file. */
function substitute(
  yaml: YamlFile,
  value: unknown,
  scope: ExpressionScope,
  path: (string | number)[],
): unknown {
  if (typeof value === 'string') {
    try {
      return evaluateText(value, scope);
    } catch (error) {
      if (error instanceof ExpressionError) throw yaml.error(path, error.message);
      throw error;
    }
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(yaml, v, scope, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substitute(yaml, v, scope, [...path, k])]),
    );
  }
  return value;
}
