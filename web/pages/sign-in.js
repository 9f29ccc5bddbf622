import { useState } from 'preact/hooks';
import { request, setSessionToken } from '../api.js';
import { ErrorMessage, Heading } from '../components.js';
import { html } from '../html.js';

/**
 * Exchanges the key pair once for a session token kept in the page's memory only; the secret is kept nowhere in
 * the browser.
 */
export function SignIn({ onSignedIn }) {
  const [error, setError] = useState(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setBusy(true);
    setError(undefined);
    try {
      const { token } = await request('/console/session', {
        method: 'POST',
        body: { accessKeyId: form.get('accessKeyId'), accessKeySecret: form.get('accessKeySecret') },
      });
      setSessionToken(token);
      formElement.reset();
      onSignedIn();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="sign-in">
    <${Heading}>Sign in to Kumo</${Heading}>
    <p class="muted">
      Use the access key pair <code>kumo serve</code> printed at its first start (also in
      <code>credentials.json</code> in its data directory).
    </p>
    <p class="muted">
      The session lives only in this tab's memory: reloading the page or opening a new tab asks you to sign in
      again. Type your key only into the console at <code>${location.origin}/</code>, never into a page under
      <code>/2016-08-15/proxy/</code> (those pages are functions').
    </p>
    <form onSubmit=${submit}>
      <label for="ak-id">Access key ID</label>
      <input id="ak-id" name="accessKeyId" autocomplete="username" required spellcheck="false" />
      <label for="ak-secret">Access key secret</label>
      <input id="ak-secret" name="accessKeySecret" type="password" autocomplete="current-password" required />
      <button type="submit" disabled=${busy}>Sign in</button>
    </form>
    <${ErrorMessage} error=${error} />
  </main>`;
}
