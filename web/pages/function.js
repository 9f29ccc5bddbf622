import { enc, fc } from '../api.js';
import { Breadcrumbs, ErrorMessage, Facts, Heading, useLoad } from '../components.js';
import { html } from '../html.js';
import { links } from '../router.js';
import { Code } from './code.js';
import { InstancesTab } from './instances.js';
import { InvokePanel } from './invoke.js';
import { LogsTab } from './logs.js';
import { MetricsTab } from './metrics.js';
import { Releases, Triggers, useTriggers } from './triggers.js';

const TABS = [
  ['overview', 'Overview'],
  ['logs', 'Logs'],
  ['instances', 'Instances'],
  ['metrics', 'Metrics'],
];

export function FunctionPage({ service, fn, tab }) {
  const { data, error } = useLoad(() => fc(`/services/${enc(service)}/functions/${enc(fn)}`), [service, fn]);
  return html`
    <${Breadcrumbs} items=${[['Services', links.services()], [service, links.service(service)], [fn]]} />
    <${Heading}>${fn}</${Heading}>
    <nav aria-label="Function" class="tabs">
      ${TABS.map(
        ([id, label]) =>
          html`<a href=${links.fn(service, fn, id)} aria-current=${id === tab ? 'page' : undefined}>${label}</a>`,
      )}
    </nav>
    <${ErrorMessage} error=${error} />
    ${tab === 'overview' ? html`<${Overview} service=${service} fn=${fn} config=${data} />` : null}
    ${tab === 'logs' ? html`<${LogsTab} service=${service} fn=${fn} />` : null}
    ${tab === 'instances' ? html`<${InstancesTab} service=${service} fn=${fn} config=${data} />` : null}
    ${tab === 'metrics' ? html`<${MetricsTab} service=${service} fn=${fn} />` : null}
  `;
}

function Overview({ service, fn, config }) {
  const env = Object.entries(config?.environmentVariables ?? {});
  const triggers = useTriggers(service, fn);
  const httpTrigger = triggers.data?.triggers?.some((t) => t.triggerType === 'http');
  return html`<div class="columns">
    <div>
      <${InvokePanel} service=${service} fn=${fn} httpTrigger=${httpTrigger} />
    </div>
    <div>
      <section aria-labelledby="config-h">
        <h2 id="config-h">Configuration</h2>
        ${
          config
            ? html`<${Facts}
                items=${[
                  ['Runtime', config.runtime],
                  ['Handler', config.handler],
                  ['Memory', `${config.memorySize} MB`],
                  ['Timeout', `${config.timeout} s`],
                  ['Instance concurrency', config.instanceConcurrency],
                  ['Initializer', config.initializer],
                  ['Description', config.description],
                  ['Code size', config.codeSize === undefined ? undefined : `${config.codeSize} bytes`],
                  ['Code checksum', config.codeChecksum],
                  ['Last modified', config.lastModifiedTime],
                ]}
              />`
            : null
        }
      </section>
      <${Code} service=${service} fn=${fn} />
      <section aria-labelledby="env-h">
        <h2 id="env-h">Environment</h2>
        ${
          env.length === 0
            ? html`<p class="muted">No environment variables.</p>`
            : html`<table>
                <thead><tr><th scope="col">Name</th><th scope="col">Value</th></tr></thead>
                <tbody>${env.map(([k, v]) => html`<tr><th scope="row"><code>${k}</code></th><td><code>${v}</code></td></tr>`)}</tbody>
              </table>`
        }
      </section>
      <${Triggers} service=${service} fn=${fn} loaded=${triggers} />
      <${Releases} service=${service} />
    </div>
  </div>`;
}
