import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';

/** Loads data for a page; `reload` runs it again. Errors become a message, never a blank page. */
export function useLoad(load, deps) {
  const [state, setState] = useState({ loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data }),
      (error) => live && setState({ error }),
    );
    return () => {
      live = false;
    };
  }, [...deps, round]);
  return { ...state, reload: () => setRound((r) => r + 1) };
}

/** A page's heading, focused when the page changes so screen readers and keyboards start there. */
export function Heading({ children }) {
  const ref = useRef(null);
  useEffect(() => ref.current?.focus(), []);
  return html`<h1 tabindex="-1" ref=${ref}>${children}</h1>`;
}

export function ErrorMessage({ error }) {
  if (!error) return null;
  return html`<p class="error" role="alert">
    <strong>${error.code ?? 'Error'}</strong>${error.message ? `: ${error.message}` : ''}
  </p>`;
}

export function Loading({ what }) {
  return html`<p class="muted" role="status">Loading ${what}…</p>`;
}

/** A definition list of label → value pairs, skipping empty values. */
export function Facts({ items }) {
  const shown = items.filter(([, value]) => value !== undefined && value !== null && value !== '');
  return html`<dl class="facts">
    ${shown.map(([label, value]) => html`<div><dt>${label}</dt><dd>${value}</dd></div>`)}
  </dl>`;
}

export function Breadcrumbs({ items }) {
  return html`<nav aria-label="Breadcrumbs" class="crumbs">
    <ol>
      ${items.map(
        ([label, href], i) =>
          html`<li>${href && i < items.length - 1 ? html`<a href=${href}>${label}</a>` : html`<span aria-current="page">${label}</span>`}</li>`,
      )}
    </ol>
  </nav>`;
}

export function age(iso) {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
