import { dirname, resolve } from 'node:path';
import { crc64Ecma } from '../../code/index.js';
import type { FcClient } from '../client.js';
import { planFc3Service } from '../deploy-fc3.js';
import { isLayerFolder, type LayerAnswer, layerNameOf, zipLayerFolder } from '../layers.js';
import { formatBytes } from '../output.js';
import { listAll } from '../resources.js';
import type { Project, ProjectFunction } from '../template/index.js';
import { differing, get } from './diff.js';
import { validateProject } from './validate.js';

/** Zips (or reads) a function's code package; undefined for a custom container. */
export type CodePackager = (serviceName: string, fn: ProjectFunction) => Promise<Buffer | undefined>;

export type Change = 'create' | 'update' | 'unchanged';
export type ResourceKind = 'layer' | 'service' | 'function' | 'FC 3.0 function' | 'trigger' | 'custom domain';

/** One resource of a plan, as `kumo deploy --dry-run` shows it. */
export interface PlannedResource {
  kind: ResourceKind;
  name: string;
  change: Change;
  /** For an update: the fields that differ (`code` for a new code package). */
  fields?: string[];
}

/** State shared by the steps of one apply: the ARN each layer folder resolves to once published. */
export interface ApplyState {
  layerArns: Map<string, string>;
}

export interface PlanStep extends PlannedResource {
  /** The write that makes the server match the template; absent when the resource is unchanged. */
  run?: (state: ApplyState) => Promise<void>;
}

/** Everything `kumo deploy` will do, in dependency order: layers, services, functions, triggers, domains. */
export interface DeployPlan {
  project: Project;
  steps: PlanStep[];
  /** Layer folders whose current version already matches (folder → ARN). */
  layerArns: Map<string, string>;
}

export interface PlanOptions {
  /** Zips each function's code (default: none, for custom containers only). */
  code: CodePackager;
  /** Progress lines (zipping, sizes); the CLI shows them on a terminal only. */
  progress?: (line: string) => void;
}

/**
 * Validates the whole project, then compares every resource with the server (reads only) and returns what to
 * create, update or leave alone. Nothing is written: `applyPlan` does the writes.
 */
export async function planDeploy(
  client: FcClient,
  project: Project,
  options: PlanOptions,
): Promise<DeployPlan> {
  const normalized = await validateProject(client, project);
  const progress = options.progress ?? (() => undefined);
  const plan: DeployPlan = { project, steps: [], layerArns: new Map() };
  const root = dirname(project.file);
  await planLayers(client, project, plan, progress);
  for (const service of project.services) {
    if (service.fcVersion === 'v3') {
      plan.steps.push(...(await planFc3Service(client, service, options.code, progress)));
      continue;
    }
    const s = service.serviceName;
    const desired = normalized.services.get(s) ?? {};
    plan.steps.push(
      await upsertStep(client, 'service', s, `/services/${s}`, desired, {
        create: ['POST', '/services', { serviceName: s, ...service.config }],
        update: ['PUT', `/services/${s}`, service.config],
      }),
    );
    for (const fn of service.functions) {
      const name = `${s}/${fn.functionName}`;
      progress(`zipping ${name}…`);
      const zip = await options.code(s, fn);
      if (zip) progress(`zipped ${name}: ${formatBytes(zip.length)}`);
      plan.steps.push(
        await functionStep(client, s, fn, normalized.functions.get(name) ?? {}, zip, plan, root, progress),
      );
      for (const trigger of fn.triggers) {
        const base = `/services/${s}/functions/${fn.functionName}/triggers`;
        const body = {
          triggerType: trigger.triggerType,
          triggerConfig: trigger.triggerConfig,
          ...(trigger.qualifier && { qualifier: trigger.qualifier }),
        };
        const compared = {
          ...body,
          triggerConfig: normalized.triggers.get(`${name}/${trigger.triggerName}`),
        };
        plan.steps.push(
          await upsertStep(
            client,
            'trigger',
            `${name}/${trigger.triggerName}`,
            `${base}/${trigger.triggerName}`,
            compared,
            {
              create: ['POST', base, { triggerName: trigger.triggerName, ...body }],
              update: ['PUT', `${base}/${trigger.triggerName}`, body],
            },
          ),
        );
      }
    }
  }
  for (const domain of project.customDomains) {
    const body = { protocol: domain.protocol, routeConfig: { routes: domain.routes } };
    const path = `/custom-domains/${domain.domainName}`;
    plan.steps.push(
      await upsertStep(
        client,
        'custom domain',
        domain.domainName,
        path,
        normalized.domains.get(domain.domainName) ?? body,
        {
          create: ['POST', '/custom-domains', { domainName: domain.domainName, ...body }],
          update: ['PUT', path, body],
        },
      ),
    );
  }
  return plan;
}

/** The resources of a plan without their writes (what `--dry-run --json` prints). */
export const planView = (plan: DeployPlan): PlannedResource[] =>
  plan.steps.map(({ kind, name, change, fields }) => ({ kind, name, change, ...(fields && { fields }) }));

type Write = [method: string, path: string, body: object];

async function upsertStep(
  client: FcClient,
  kind: ResourceKind,
  name: string,
  path: string,
  desired: Record<string, unknown>,
  writes: { create: Write; update: Write },
): Promise<PlanStep> {
  const current = await get(client, path);
  if (!current) return { kind, name, change: 'create', run: () => client.json(...writes.create) };
  const fields = differing(desired, current);
  if (fields.length === 0) return { kind, name, change: 'unchanged' };
  return { kind, name, change: 'update', fields, run: () => client.json(...writes.update) };
}

async function functionStep(
  client: FcClient,
  serviceName: string,
  fn: ProjectFunction,
  desired: Record<string, unknown>,
  zip: Buffer | undefined,
  plan: DeployPlan,
  root: string,
  progress: (line: string) => void,
): Promise<PlanStep> {
  const name = `${serviceName}/${fn.functionName}`;
  const path = `/services/${serviceName}/functions/${fn.functionName}`;
  const entries = Array.isArray(fn.config.layers) ? (fn.config.layers as string[]) : undefined;
  // A layer folder's ARN is known now when its newest version already matches; else once it is published.
  const layersNow = entries?.map((e) => (isLayerFolder(e) ? plan.layerArns.get(resolve(root, e)) : e));
  const layersAt = (state: ApplyState) =>
    entries?.map((e) => (isLayerFolder(e) ? (state.layerArns.get(resolve(root, e)) ?? e) : e));
  const body = (state: ApplyState, withCode: boolean) => {
    if (withCode && zip) progress(`uploading ${name} (${formatBytes(zip.length)})…`);
    return {
      ...fn.config,
      ...(entries && { layers: layersAt(state) }),
      ...(withCode && zip && { code: { zipFile: zip.toString('base64') } }),
    };
  };
  const current = await get(client, path);
  if (!current) {
    return {
      kind: 'function',
      name,
      change: 'create',
      run: (state) =>
        client.json('POST', `/services/${serviceName}/functions`, {
          functionName: fn.functionName,
          ...body(state, true),
        }),
    };
  }
  const { layers: _layers, ...rest } = desired;
  const fields = differing(rest, current);
  if (entries && (layersNow?.includes(undefined) || differing(layersNow, current.layers).length > 0))
    fields.push('layers');
  const codeChanged = zip !== undefined && current.codeChecksum !== crc64Ecma(zip);
  if (codeChanged) fields.push('code');
  if (fields.length === 0) return { kind: 'function', name, change: 'unchanged' };
  return {
    kind: 'function',
    name,
    change: 'update',
    fields,
    run: (state) => client.json('PUT', path, body(state, codeChanged)),
  };
}

/** Layer folders named in the template: zipped now, published at apply unless the newest version matches. */
async function planLayers(
  client: FcClient,
  project: Project,
  plan: DeployPlan,
  progress: (line: string) => void,
): Promise<void> {
  const root = dirname(project.file);
  const seen = new Set<string>();
  for (const service of project.services) {
    for (const fn of service.functions) {
      const layers = Array.isArray(fn.config.layers) ? (fn.config.layers as string[]) : [];
      for (const entry of layers.filter(isLayerFolder)) {
        const dir = resolve(root, entry);
        if (seen.has(dir)) continue;
        seen.add(dir);
        const layerName = layerNameOf(dir);
        progress(`zipping layer folder ${entry}…`);
        const zip = await zipLayerFolder(dir);
        const newest = (
          await listAll<LayerAnswer>(client, `/layers?prefix=${encodeURIComponent(layerName)}`, 'layers')
        ).find((l) => l.layerName === layerName);
        if (newest && newest.codeChecksum === crc64Ecma(zip)) {
          plan.layerArns.set(dir, newest.arnV2);
          plan.steps.push({
            kind: 'layer',
            name: `${layerName} version ${newest.version}`,
            change: 'unchanged',
          });
          continue;
        }
        const runtime = String(fn.config.runtime ?? '');
        const step: PlanStep = {
          kind: 'layer',
          name: layerName,
          change: newest ? 'update' : 'create',
          ...(newest && { fields: ['code'] }),
        };
        step.run = async (state) => {
          progress(`uploading layer ${layerName} (${formatBytes(zip.length)})…`);
          const published = await client.json<LayerAnswer>(
            'POST',
            `/layers/${encodeURIComponent(layerName)}/versions`,
            {
              code: { zipFile: zip.toString('base64') },
              compatibleRuntime: runtime ? [runtime] : [],
              description: `published by kumo deploy from ${dir}`,
            },
          );
          state.layerArns.set(dir, published.arnV2);
          step.name = `${layerName} version ${published.version}`;
        };
        plan.steps.push(step);
      }
    }
  }
}
