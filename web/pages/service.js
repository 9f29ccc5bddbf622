import { enc, fc } from '../api.js';
import { Breadcrumbs, ErrorMessage, Facts, Heading, Loading, useLoad } from '../components.js';
import { html } from '../html.js';
import { links } from '../router.js';

export function ServicePage({ service }) {
  const { data, error } = useLoad(
    () => Promise.all([fc(`/services/${enc(service)}`), fc(`/services/${enc(service)}/functions?limit=100`)]),
    [service],
  );
  const [info, list] = data ?? [];
  const functions = list?.functions ?? [];
  return html`
    <${Breadcrumbs} items=${[['Services', links.services()], [service]]} />
    <${Heading}>${service}</${Heading}>
    <${ErrorMessage} error=${error} />
    ${!data && !error ? html`<${Loading} what="functions" />` : null}
    ${info ? html`<${Facts} items=${[['Description', info.description], ['Internet access', String(info.internetAccess ?? true)], ['Last modified', info.lastModifiedTime]]} />` : null}
    ${data ? html`<h2>Functions</h2>` : null}
    ${data && functions.length === 0 ? html`<p class="empty">This service has no functions yet. Add one to its <code>template.yml</code> and run <code>kumo deploy</code>.</p>` : null}
    ${
      functions.length > 0
        ? html`<table>
            <caption class="sr-only">Functions of ${service}</caption>
            <thead><tr><th scope="col">Function</th><th scope="col">Runtime</th><th scope="col">Handler</th><th scope="col">Memory</th><th scope="col">Last modified</th></tr></thead>
            <tbody>
              ${functions.map(
                (f) => html`<tr>
                  <th scope="row"><a href=${links.fn(service, f.functionName)}>${f.functionName}</a></th>
                  <td>${f.runtime}</td>
                  <td><code>${f.handler}</code></td>
                  <td>${f.memorySize} MB</td>
                  <td>${f.lastModifiedTime}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : null
    }
  `;
}
