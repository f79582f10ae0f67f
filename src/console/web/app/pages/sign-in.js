// Signing in, asking for a reset link, and asking for an account (docs/API.md §6, §9, §15).
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, ApiError, forgetToken, plainWords, setToken, takeNotice } from '../api.js';
import { BASE } from '../router.js';
import { Field } from '../ui.js';

function useTitle(title) {
  useEffect(() => {
    document.title = `${title} · Gatehouse`;
  }, [title]);
}

export function SignIn({ onSignedIn }) {
  useTitle('Sign in');
  const [notice, setNotice] = useState(() => takeNotice());
  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setNotice(null);
    forgetToken();
    try {
      const answer = await api('POST', '/login', { body: { username_or_email: identifier, password } });
      setToken(answer.access_token);
      onSignedIn(answer.user);
    } catch (error) {
      // The API's own words (docs/API.md §15: the detail, in role="alert").
      const detail = error instanceof ApiError && typeof error.body?.detail === 'string' ? error.body.detail : null;
      const plain = plainWords(error);
      setNotice({ alert: true, text: detail && !plain.startsWith(detail) ? `${detail}. ${plain}` : plain });
      setBusy(false);
    }
  };

  return html`
    <section class="card card-narrow">
      <h1 id="sign-in-title" tabindex="-1">Sign in</h1>
      <p class="lead">Approvals, users and your own account.</p>
      ${
        notice?.alert
          ? html`<div role="alert" class="alert">
              <p>${notice.text}</p>
            </div>`
          : notice
            ? html`<p role="status" class="notice">${notice.text}</p>`
            : null
      }
      <form onSubmit=${submit} class="stack">
        <${Field}
          label="Username or email"
          name="username"
          autocomplete="username"
          required
          maxlength="320"
          value=${identifier}
          onInput=${(e) => setIdentifier(e.currentTarget.value)}
        />
        <${Field}
          label="Password"
          type="password"
          name="password"
          autocomplete="current-password"
          required
          value=${password}
          onInput=${(e) => setPassword(e.currentTarget.value)}
        />
        <button type="submit" class="button button-primary button-block" disabled=${busy}>
          ${busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p class="card-links">
        <a href=${`${BASE}/forgot-password`}>Forgot your password?</a>
        <a href=${`${BASE}/register`}>Request an account</a>
      </p>
    </section>
  `;
}

export function ForgotPassword() {
  useTitle('Reset your password');
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/forgot-password', { body: { email } });
      setSent(true);
    } catch (failure) {
      setError(plainWords(failure));
    } finally {
      setBusy(false);
    }
  };
  return html`
    <section class="card card-narrow">
      <h1 id="forgot-title" tabindex="-1">Reset your password</h1>
      ${
        sent
          ? html`<p role="status" class="notice">
              If an active account uses ${email}, a link to choose a new password is on its way. It works for a limited time.
            </p>`
          : html`
              <p class="lead">Enter the email address of your account and we will send you a link.</p>
              ${
                error
                  ? html`<div role="alert" class="alert">
                      <p>${error}</p>
                    </div>`
                  : null
              }
              <form onSubmit=${submit} class="stack">
                <${Field}
                  label="Email"
                  type="email"
                  autocomplete="email"
                  required
                  value=${email}
                  onInput=${(e) => setEmail(e.currentTarget.value)}
                />
                <button type="submit" class="button button-primary button-block" disabled=${busy}>Send the link</button>
              </form>
            `
      }
      <p class="card-links"><a href=${`${BASE}/sign-in`}>Back to sign-in</a></p>
    </section>
  `;
}

export function Register() {
  useTitle('Request an account');
  const [form, setForm] = useState({ username: '', email: '', password: '', institution: '', approval_note: '' });
  const [done, setDone] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const bind = (name) => ({ value: form[name], onInput: (e) => setForm({ ...form, [name]: e.currentTarget.value }) });
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const body = { username: form.username, email: form.email, password: form.password };
    if (form.institution.trim()) body.institution = form.institution.trim();
    if (form.approval_note.trim()) body.approval_note = form.approval_note.trim();
    try {
      setDone(await api('POST', '/register', { body }));
    } catch (failure) {
      setError(plainWords(failure));
    } finally {
      setBusy(false);
    }
  };
  if (done) {
    return html`
      <section class="card card-narrow">
        <h1 id="register-title" tabindex="-1">Request sent</h1>
        <p role="status" class="notice">
          ${
            done.approval_status === 'approved'
              ? 'Your account is ready: you can sign in now.'
              : done.is_verified === false
                ? 'Check your mailbox: confirm your address with the link we sent. An administrator will then review your request.'
                : 'An administrator will review your request. You will get an email when it is decided.'
          }
        </p>
        <p class="card-links"><a href=${`${BASE}/sign-in`}>Go to sign-in</a></p>
      </section>
    `;
  }
  return html`
    <section class="card card-narrow">
      <h1 id="register-title" tabindex="-1">Request an account</h1>
      <p class="lead">An administrator reviews every request. Tell them who you are.</p>
      ${
        error
          ? html`<div role="alert" class="alert">
              <p>${error}</p>
            </div>`
          : null
      }
      <form onSubmit=${submit} class="stack">
        <${Field} label="Username" autocomplete="username" required maxlength="150" ...${bind('username')} />
        <${Field} label="Email" type="email" autocomplete="email" required maxlength="320" ...${bind('email')} />
        <${Field}
          label="Choose a password"
          type="password"
          autocomplete="new-password"
          required
          minlength="8"
          maxlength="128"
          hint="8 to 128 characters, not your username or email."
          ...${bind('password')}
        />
        <${Field} label="Institution" autocomplete="organization" maxlength="300" ...${bind('institution')} />
        <div class="field">
          <label for="register-note">Note for the administrators</label>
          <textarea id="register-note" rows="3" maxlength="2000" ...${bind('approval_note')}></textarea>
          <p class="hint">Optional: your group, your supervisor, what you need access for.</p>
        </div>
        <button type="submit" class="button button-primary button-block" disabled=${busy}>Send the request</button>
      </form>
      <p class="card-links"><a href=${`${BASE}/sign-in`}>Back to sign-in</a></p>
    </section>
  `;
}
