import { enc, fc } from '../api.js';
import { ErrorMessage, useLoad } from '../components.js';
import { html } from '../html.js';

/** The function's triggers, loaded once for the Overview (the Invoke panel and the Triggers list both use them). */
export function useTriggers(service, fn) {
  return useLoad(() => fc(`/services/${enc(service)}/functions/${enc(fn)}/triggers`), [service, fn]);
}

export function Triggers({ service, fn, loaded }) {
  const { data, error } = loaded;
  const triggers = data?.triggers ?? [];
  return html`<section aria-labelledby="triggers-h">
    <h2 id="triggers-h">Triggers</h2>
    <${ErrorMessage} error=${error} />
    ${data && triggers.length === 0 ? html`<p class="muted">No triggers: the function runs when invoked.</p>` : null}
    <ul class="plain">
      ${triggers.map((t) => html`<li><strong>${t.triggerName}</strong> (${t.triggerType}) ${detail(service, fn, t)}</li>`)}
    </ul>
  </section>`;
}

function detail(service, fn, trigger) {
  const config = trigger.triggerConfig ?? {};
  if (trigger.triggerType === 'http') {
    const url = `${location.origin}/2016-08-15/proxy/${enc(service)}/${enc(fn)}/`;
    const methods = (config.methods ?? []).join(', ');
    return html`<br /><a href=${url} target="_blank" rel="noopener noreferrer">${url}</a>
      <span class="muted"> ${methods} · auth: ${config.authType ?? 'anonymous'}</span>`;
  }
  if (trigger.triggerType === 'timer') {
    return html`<span class="muted">${config.cronExpression ?? ''} ${config.enable === false ? '(disabled)' : ''}</span>`;
  }
  return null;
}

/** Versions and aliases of the service, shown only when there are some. */
export function Releases({ service }) {
  const { data, error } = useLoad(
    () =>
      Promise.all([
        fc(`/services/${enc(service)}/versions?limit=100`),
        fc(`/services/${enc(service)}/aliases?limit=100`),
      ]),
    [service],
  );
  const versions = data?.[0]?.versions ?? [];
  const aliases = data?.[1]?.aliases ?? [];
  if (error) return html`<${ErrorMessage} error=${error} />`;
  if (versions.length === 0 && aliases.length === 0) return null;
  return html`<section aria-labelledby="releases-h">
    <h2 id="releases-h">Versions and aliases</h2>
    ${
      versions.length > 0
        ? html`<table>
            <caption>Versions</caption>
            <thead><tr><th scope="col">Version</th><th scope="col">Description</th><th scope="col">Created</th></tr></thead>
            <tbody>${versions.map((v) => html`<tr><th scope="row">${v.versionId}</th><td>${v.description}</td><td>${v.createdTime}</td></tr>`)}</tbody>
          </table>`
        : null
    }
    ${
      aliases.length > 0
        ? html`<table>
            <caption>Aliases</caption>
            <thead><tr><th scope="col">Alias</th><th scope="col">Version</th><th scope="col">Weights</th></tr></thead>
            <tbody>${aliases.map((a) => html`<tr><th scope="row">${a.aliasName}</th><td>${a.versionId}</td><td>${weights(a.additionalVersionWeight)}</td></tr>`)}</tbody>
          </table>`
        : null
    }
  </section>`;
}

const weights = (w) =>
  Object.entries(w ?? {})
    .map(([version, weight]) => `${version}: ${Math.round(weight * 100)}%`)
    .join(', ');
