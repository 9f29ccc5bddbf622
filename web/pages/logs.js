import { useEffect, useRef, useState } from 'preact/hooks';
import { enc, fc, tail } from '../api.js';
import { ErrorMessage } from '../components.js';
import { html } from '../html.js';

const MAX_TAIL_LINES = 1000;

export function LogsTab({ service, fn }) {
  return html`<${LogSearch} service=${service} fn=${fn} /><${LiveTail} service=${service} fn=${fn} />`;
}

/** Stored lines by request id and time range (the API's `/logs` route), oldest first. */
function LogSearch({ service, fn }) {
  const [lines, setLines] = useState(undefined);
  const [error, setError] = useState(undefined);
  const search = async (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const query = new URLSearchParams({ limit: '500' });
    const requestId = String(form.get('requestId') ?? '').trim();
    if (requestId) query.set('requestId', requestId);
    for (const name of ['since', 'until']) {
      const value = String(form.get(name) ?? '');
      if (value) query.set(name, new Date(value).toISOString());
    }
    setError(undefined);
    try {
      const answer = await fc(`/services/${enc(service)}/functions/${enc(fn)}/logs?${query}`);
      setLines(answer.logs);
    } catch (e) {
      setError(e);
    }
  };
  return html`<section aria-labelledby="search-h">
    <h2 id="search-h">Search logs</h2>
    <form class="row" onSubmit=${search}>
      <label>Request ID <input name="requestId" spellcheck="false" /></label>
      <label>From <input name="since" type="datetime-local" step="1" /></label>
      <label>To <input name="until" type="datetime-local" step="1" /></label>
      <button type="submit">Search</button>
    </form>
    <${ErrorMessage} error=${error} />
    ${lines === undefined ? null : html`<${LogLines} label="Search results" lines=${lines} empty="No lines match." />`}
  </section>`;
}

/** New lines as they are written, over the console's server-sent events route. */
function LiveTail({ service, fn }) {
  const [lines, setLines] = useState([]);
  const [state, setState] = useState('stopped');
  const stop = useRef(undefined);
  const start = () => {
    setState('live');
    stop.current = tail(service, fn, {
      onLine: (line) => setLines((old) => [...old, line].slice(-MAX_TAIL_LINES)),
      onEnd: (reason) => {
        stop.current = undefined;
        setState(`stopped (${reason})`);
      },
    });
  };
  useEffect(() => () => stop.current?.(), []);
  return html`<section aria-labelledby="tail-h">
    <h2 id="tail-h">Live tail</h2>
    <p role="status" class="muted">Tail ${state}.</p>
    ${
      state === 'live'
        ? html`<button type="button" onClick=${() => stop.current?.()}>Stop live tail</button>`
        : html`<button type="button" onClick=${start}>Start live tail</button>`
    }
    <button type="button" class="link" onClick=${() => setLines([])}>Clear</button>
    <${LogLines} label="Live log lines" lines=${lines} empty=${state === 'live' ? 'Waiting for new lines… invoke the function to see them here.' : 'Start the tail to follow new lines.'} live />
  </section>`;
}

function LogLines({ label, lines, empty, live }) {
  if (lines.length === 0) return html`<p class="muted">${empty}</p>`;
  return html`<div class="log" role=${live ? 'log' : undefined} aria-label=${label} tabindex="0">
    ${lines.map(
      (line) => html`<div class="line" key=${line.id}>
        <time datetime=${line.time} title=${line.time}>${clock(line.time)}</time>
        <code class="rid">${line.requestId ? line.requestId.slice(0, 8) : '—'}</code>
        <span class="msg" title=${line.requestId}>${line.message}</span>
      </div>`,
    )}
  </div>`;
}

/** Local wall-clock time with milliseconds (the From/To fields are local time too). */
function clock(iso) {
  const date = new Date(iso);
  const ms = String(date.getMilliseconds()).padStart(3, '0');
  return `${date.toLocaleTimeString([], { hour12: false })}.${ms}`;
}
