import { useState } from 'preact/hooks';
import { invoke } from '../api.js';
import { Facts } from '../components.js';
import { html } from '../html.js';

/** The event editor, the Invoke button and the call's result with its framed logs. */
export function InvokePanel({ service, fn, httpTrigger }) {
  const [event, setEvent] = useState('{\n  "key": "value"\n}');
  const [format, setFormat] = useState('json');
  const [invalid, setInvalid] = useState(undefined);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState(undefined);

  const run = async () => {
    if (format === 'json') {
      try {
        JSON.parse(event);
      } catch (e) {
        setInvalid(`The event is not valid JSON: ${e.message}. Fix it or choose Text.`);
        return;
      }
    }
    setInvalid(undefined);
    setBusy(true);
    try {
      setResult(await invoke(service, fn, event));
    } catch (e) {
      setResult({
        status: 0,
        errorType: 'NetworkError',
        body: e.message,
        logs: '',
        requestId: '',
        durationMs: 0,
      });
    } finally {
      setBusy(false);
    }
  };
  const onKeyDown = (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      run();
    }
  };

  return html`<section aria-labelledby="invoke-h">
    <h2 id="invoke-h">Invoke</h2>
    ${
      httpTrigger
        ? html`<p class="muted">
            This function has an HTTP trigger: call it with an HTTP request at the trigger's URL (under
            Triggers). Invoke here sends it an event instead.
          </p>`
        : null
    }
    <fieldset class="inline">
      <legend>Event format</legend>
      ${[
        ['json', 'JSON'],
        ['text', 'Text'],
      ].map(
        ([value, label]) => html`<label>
          <input type="radio" name="format" value=${value} checked=${format === value} onChange=${() => setFormat(value)} />
          ${label}
        </label>`,
      )}
    </fieldset>
    <label for="event">Event</label>
    <textarea
      id="event"
      rows="8"
      spellcheck="false"
      aria-describedby="event-help"
      aria-invalid=${invalid ? 'true' : undefined}
      value=${event}
      onInput=${(e) => setEvent(e.currentTarget.value)}
      onKeyDown=${onKeyDown}
    ></textarea>
    <p id="event-help" class="muted">Sent as the request body, byte for byte. Ctrl+Enter invokes.</p>
    ${invalid ? html`<p class="error" role="alert">${invalid}</p>` : null}
    <button type="button" onClick=${run} disabled=${busy}>${busy ? 'Invoking…' : 'Invoke'}</button>
    <section aria-labelledby="result-h" class="result" aria-busy=${busy ? 'true' : 'false'}>
      <h2 id="result-h">Result</h2>
      ${result ? html`<${CallResult} result=${result} />` : html`<p class="muted">Not invoked yet.</p>`}
    </section>
  </section>`;
}

function CallResult({ result }) {
  const failed = result.status !== 200 || result.errorType !== '';
  return html`
    <p role="status" class=${failed ? 'error' : 'ok'}>
      ${failed ? `Failed: ${result.errorType || `HTTP ${result.status}`}` : 'Succeeded'}
    </p>
    <${Facts}
      items=${[
        ['Status', String(result.status)],
        ['Error type', result.errorType || 'none'],
        ['Duration', `${result.durationMs} ms`],
        ['Max memory used', result.maxMemoryMb ? `${result.maxMemoryMb} MB` : undefined],
        ['Request ID', html`<code>${result.requestId}</code>`],
      ]}
    />
    <h3>Response</h3>
    <pre class="output" aria-label="Response body">${result.body}</pre>
    <h3>Logs</h3>
    <pre class="output" aria-label="Log output">${result.logs || '(no log lines)'}</pre>
  `;
}
