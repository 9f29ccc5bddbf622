import type { FcClient } from '../client.js';
import { CliError, colours, describeError } from '../output.js';
import type { ApplyState, DeployPlan, PlanStep } from './plan.js';

export type Applied = 'created' | 'updated' | 'unchanged';

export interface DeployResult {
  resources: { kind: string; name: string; change: Applied }[];
  /** The HTTP trigger URLs of the project. */
  urls: string[];
  /** Functions whose runtime runs on another version than its name says, and the server's sentence. */
  notes: { function: string; note: string }[];
}

const PAST: Record<PlanStep['change'], Applied> = {
  create: 'created',
  update: 'updated',
  unchanged: 'unchanged',
};

/**
 * Runs a plan's writes in its (dependency) order. When one fails, the error says which resources were applied
 * and which were not; a re-run converges, since applied resources then plan as unchanged.
 */
export async function applyPlan(
  client: FcClient,
  plan: DeployPlan,
  say: (line: string) => void,
): Promise<DeployResult> {
  const result: DeployResult = { resources: [], urls: [], notes: [] };
  const state: ApplyState = { layerArns: new Map(plan.layerArns) };
  const c = colours(process.stdout);
  const applied: string[] = [];
  for (const [index, step] of plan.steps.entries()) {
    try {
      await step.run?.(state);
    } catch (error) {
      throw stoppedAt(step, error, applied, plan.steps.slice(index));
    }
    // After the write: a published layer's name says its new version.
    const label = `${step.kind} ${step.name}`;
    if (step.run) applied.push(`${label} (${PAST[step.change]})`);
    result.resources.push({ kind: step.kind, name: step.name, change: PAST[step.change] });
    const mark = step.change === 'unchanged' ? c.dim('·') : c.green('✓');
    say(`${mark} ${label}: ${PAST[step.change]}`);
    if (step.kind === 'function') await noteRuntime(client, step.name, result, say);
  }
  for (const service of plan.project.services) {
    for (const fn of service.functions) {
      for (const trigger of fn.triggers.filter((t) => t.triggerType === 'http')) {
        const current = await client.json<{ urlInternet?: string }>(
          'GET',
          `/services/${service.serviceName}/functions/${fn.functionName}/triggers/${trigger.triggerName}`,
        );
        if (current.urlInternet) result.urls.push(current.urlInternet);
      }
    }
  }
  return result;
}

/** The server's `x-kumo-runtime-note` for a function (its runtime runs on another version), if any. */
async function noteRuntime(
  client: FcClient,
  name: string,
  result: DeployResult,
  say: (line: string) => void,
): Promise<void> {
  const [service, fn] = name.split('/');
  const response = await client.send('GET', `/services/${service}/functions/${fn}`);
  const note = response.headers['x-kumo-runtime-note'];
  if (response.status !== 200 || !note) return;
  result.notes.push({ function: name, note: decodeURIComponent(note) });
  say(`  ! ${decodeURIComponent(note)}`);
}

function stoppedAt(step: PlanStep, error: unknown, applied: string[], rest: PlanStep[]): CliError {
  const cause = describeError(error);
  const pending = rest.filter((s) => s.run).map((s) => `${s.kind} ${s.name} (${s.change})`);
  return new CliError(
    cause.code,
    `deploy stopped at ${step.kind} ${step.name}: ${cause.message}`,
    cause.exitCode,
    'fix the cause and run `kumo deploy` again: what was applied stays, the rest is applied then',
    [`applied: ${applied.length > 0 ? applied.join(', ') : 'nothing'}`, `not applied: ${pending.join(', ')}`],
  );
}
