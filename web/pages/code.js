import { useState } from 'preact/hooks';
import { enc, fc } from '../api.js';
import { ErrorMessage } from '../components.js';
import { html } from '../html.js';

/** Code download: asks for a short-lived signed link, then lets the browser download the zip. */
export function Code({ service, fn }) {
  const [error, setError] = useState(undefined);
  const download = async () => {
    setError(undefined);
    try {
      const { url } = await fc(`/services/${enc(service)}/functions/${enc(fn)}/code`);
      const link = new URL(url, location.href);
      // Same origin only: the signed link is this server's own.
      location.assign(`${link.pathname}${link.search}`);
    } catch (e) {
      setError(e);
    }
  };
  return html`<section aria-labelledby="code-h">
    <h2 id="code-h">Code</h2>
    <button type="button" onClick=${download}>Download code (.zip)</button>
    <${ErrorMessage} error=${error} />
  </section>`;
}
