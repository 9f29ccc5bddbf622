import { useState } from 'preact/hooks';
import { request } from '../api.js';
import { ErrorMessage, Heading } from '../components.js';
import { html } from '../html.js';

/** Exchanges the key pair once for an HttpOnly session cookie; the secret is kept nowhere in the browser. */
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
      await request('/console/session', {
        method: 'POST',
        body: { accessKeyId: form.get('accessKeyId'), accessKeySecret: form.get('accessKeySecret') },
      });
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
