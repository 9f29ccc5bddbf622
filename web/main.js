import 'uplot/dist/uPlot.min.css';
import './style.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { hasSessionToken, request, setSessionToken } from './api.js';
import { html } from './html.js';
import { FunctionPage } from './pages/function.js';
import { ServicePage } from './pages/service.js';
import { ServicesPage } from './pages/services.js';
import { SignIn } from './pages/sign-in.js';
import { links, useRoute } from './router.js';

function App() {
  // undefined: asking the server; null: signed out; else who is signed in.
  const [session, setSession] = useState(undefined);
  // No token in memory (a fresh load): nothing to ask the server, the person signs in.
  const check = () =>
    hasSessionToken()
      ? request('/console/session').then(setSession, () => setSession(null))
      : Promise.resolve(setSession(null));
  useEffect(() => {
    check();
    const signedOut = () => setSession(null);
    addEventListener('kumo:signed-out', signedOut);
    return () => removeEventListener('kumo:signed-out', signedOut);
  }, []);
  if (session === undefined) return html`<p class="muted" role="status">Loading…</p>`;
  if (session === null) return html`<${SignIn} onSignedIn=${check} />`;
  const signOut = async () => {
    await request('/console/session', { method: 'DELETE' }).catch(() => {});
    setSessionToken(undefined);
    setSession(null);
  };
  return html`
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <a class="brand" href=${links.services()}>Kumo</a>
      <span class="muted">account ${session.accountId} · ${session.region}</span>
      <button type="button" class="link" onClick=${signOut}>Sign out</button>
    </header>
    <main id="main"><${Routes} session=${session} /></main>
  `;
}

function Routes({ session }) {
  const route = useRoute();
  if (route.page === 'service') return html`<${ServicePage} key=${route.service} service=${route.service} />`;
  if (route.page === 'function') {
    return html`<${FunctionPage}
      key=${`${route.service}/${route.fn}/${route.tab}`}
      service=${route.service}
      fn=${route.fn}
      tab=${route.tab}
    />`;
  }
  return html`<${ServicesPage} session=${session} />`;
}

render(html`<${App} />`, document.getElementById('app'));
