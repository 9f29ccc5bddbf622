import { fc } from '../api.js';
import { ErrorMessage, Heading, Loading, useLoad } from '../components.js';
import { html } from '../html.js';
import { links } from '../router.js';

export function ServicesPage({ session }) {
  const { data, error, loading } = useLoad(() => fc('/services?limit=100'), []);
  const services = data?.services ?? [];
  return html`
    <${Heading}>Services</${Heading}>
    <${ErrorMessage} error=${error} />
    ${loading && !data ? html`<${Loading} what="services" />` : null}
    ${data && services.length === 0 ? html`<${FirstSteps} accessKeyId=${session?.accessKeyId} />` : null}
    ${
      services.length > 0
        ? html`<ul class="cards" aria-label="Services">
            ${services.map(
              (s) => html`<li>
                <a href=${links.service(s.serviceName)}>${s.serviceName}</a>
                <span class="muted">${s.description || ''}</span>
              </li>`,
            )}
          </ul>`
        : null
    }
  `;
}

/** What a new user sees with nothing deployed: how to get a first function running. */
function FirstSteps({ accessKeyId }) {
  const origin = location.origin;
  return html`<section class="empty" aria-labelledby="first-steps">
    <h2 id="first-steps">No services yet: deploy your first function</h2>
    <ol>
      <li>
        Point the <code>kumo</code> command at this server (once):
        <pre><code>kumo config --endpoint ${origin} --access-key-id ${accessKeyId ?? 'YOUR_KEY_ID'} --access-key-secret YOUR_SECRET</code></pre>
      </li>
      <li>
        Start a project from an example and deploy it:
        <pre><code>kumo init nodejs-event hello && cd hello\nkumo deploy</code></pre>
      </li>
      <li>Come back here: the service appears in this list, and its functions can be invoked from their page.</li>
    </ol>
    <p class="muted">
      Other languages: <code>kumo init python-event</code>, <code>php-event</code>, <code>java-event</code>,${' '}
      <code>go1-event</code>, … (the <code>examples/</code> folder). Funcraft <code>template.yml</code> and Serverless
      Devs <code>s.yaml</code> projects deploy unchanged.
    </p>
  </section>`;
}
