// The two pages mails link to (docs/API.md §9): /console/reset-password?token=… and
// /console/verify?token=…. The token is taken out of the address bar as soon as it is read.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, plainWords } from '../api.js';
import { BASE } from '../router.js';
import { Field } from '../ui.js';

function useToken(query) {
  const [token] = useState(() => query.get('token') ?? '');
  useEffect(() => {
    if (window.location.search) window.history.replaceState(null, '', window.location.pathname);
  }, []);
  return token;
}

function Problem({ text }) {
  return html`<div role="alert" class="alert">
    <p>${text}</p>
  </div>`;
}

export function ResetPassword({ query }) {
  const token = useToken(query);
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const [error, setError] = useState(
    token ? null : 'This link has no token. Open the link from the mail again, or ask for a new one.',
  );
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = 'Choose a new password · Gatehouse';
  }, []);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/reset-password', { body: { token, password } });
      setDone(true);
    } catch (failure) {
      setError(plainWords(failure));
    } finally {
      setBusy(false);
    }
  };
  return html`
    <section class="card card-narrow">
      <h1 id="reset-title" tabindex="-1">Choose a new password</h1>
      ${
        done
          ? html`<p role="status" class="notice">Your password has been changed and every session of your account was ended.</p>
              <p class="card-links">
                <a class="button button-primary" href=${`${BASE}/sign-in`}>Sign in with the new password</a>
              </p>`
          : html`
              ${error ? html`<${Problem} text=${error} />` : null}
              <form onSubmit=${submit} class="stack">
                <${Field}
                  label="New password"
                  type="password"
                  autocomplete="new-password"
                  required
                  minlength="8"
                  maxlength="128"
                  hint="8 to 128 characters, not your username or email."
                  value=${password}
                  onInput=${(e) => setPassword(e.currentTarget.value)}
                />
                <button type="submit" class="button button-primary button-block" disabled=${busy || !token}>
                  Reset password
                </button>
              </form>
              <p class="card-links">
                <a href=${`${BASE}/forgot-password`}>Ask for a new link</a><a href=${`${BASE}/sign-in`}>Back to sign-in</a>
              </p>
            `
      }
    </section>
  `;
}

export function Verify({ query }) {
  const token = useToken(query);
  const [state, setState] = useState({ phase: 'working' });
  useEffect(() => {
    document.title = 'Email verification · Gatehouse';
    if (!token) {
      setState({ phase: 'failed', text: 'This link has no token. Open the link from the mail again.' });
      return;
    }
    api('POST', '/verify', { body: { token } })
      .then((account) => setState({ phase: 'done', account }))
      .catch((failure) => setState({ phase: 'failed', text: plainWords(failure) }));
  }, []);
  const { phase, account, text } = state;
  return html`
    <section class="card card-narrow" aria-busy=${phase === 'working'}>
      <h1 id="verify-title" tabindex="-1">Email verification</h1>
      ${phase === 'working' ? html`<p class="loading">Checking your link…</p>` : null}
      ${phase === 'failed' ? html`<${Problem} text=${text} />` : null}
      ${
        phase === 'done'
          ? html`<p role="status" class="notice">
              Thank you: ${account.email} is verified.
              ${
                account.approval_status === 'approved'
                  ? ' Your account is approved, you can sign in now.'
                  : ' An administrator will now review your registration; you will get an email when it is decided.'
              }
            </p>`
          : null
      }
      <p class="card-links"><a href=${`${BASE}/sign-in`}>Go to sign-in</a></p>
    </section>
  `;
}
