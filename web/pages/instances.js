import { enc, fc } from '../api.js';
import { age, ErrorMessage, Loading, useLoad } from '../components.js';
import { html } from '../html.js';

export function InstancesTab({ service, fn, config }) {
  const { data, error, loading, reload } = useLoad(
    () => fc(`/services/${enc(service)}/functions/${enc(fn)}/instances?limit=100`),
    [service, fn],
  );
  const instances = data?.instances ?? [];
  return html`<section aria-labelledby="instances-h">
    <h2 id="instances-h">Instances</h2>
    <button type="button" onClick=${reload} disabled=${loading}>Refresh</button>
    <${ErrorMessage} error=${error} />
    ${loading && !data ? html`<${Loading} what="instances" />` : null}
    ${data && instances.length === 0 ? html`<p class="muted">No instance is running. One starts on the next call (a cold start) and stops after it has been idle for a while.</p>` : null}
    ${
      instances.length > 0
        ? html`<table>
            <thead><tr>
              <th scope="col">Instance</th><th scope="col">State</th><th scope="col">Version</th><th scope="col">Age</th>
              <th scope="col">In flight</th><th scope="col">Memory limit</th><th scope="col">Provisioned</th>
            </tr></thead>
            <tbody>
              ${instances.map(
                (i) => html`<tr>
                  <th scope="row"><code>${i.instanceId}</code></th>
                  <td>${i.state}</td>
                  <td>${i.versionId}</td>
                  <td><time datetime=${i.startTime} title=${i.startTime}>${age(i.startTime)}</time></td>
                  <td>${i.inFlight}</td>
                  <td>${config ? `${config.memorySize} MB` : ''}</td>
                  <td>${i.provisioned ? 'yes' : 'no'}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : null
    }
  </section>`;
}
