// Account (docs/API.md §8, §15): the profile, the institution, a new password, and the sessions of
// the signed-in user, each with Revoke. Sign out is in the header of every page.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, endSession } from '../api.js';
import { browserName, formatDateTime, statusLabel } from '../format.js';
import { Alert, announce, Badge, Field, Loading, Page } from '../ui.js';

function Profile({ me }) {
  const [account, setAccount] = useState(null);
  const [error, setError] = useState(null);
  const [institution, setInstitution] = useState('');
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState(null);
  useEffect(() => {
    api('GET', '/users/me')
      .then((answer) => {
        setAccount(answer);
        setInstitution(answer.institution ?? '');
      })
      .catch(setError);
  }, []);
  const save = async (event) => {
    event.preventDefault();
    setSaving(true);
    setSaveError(null);
    try {
      const answer = await api('PATCH', '/users/me', {
        body: { institution: institution.trim() === '' ? null : institution.trim() },
      });
      setAccount(answer);
      announce('Institution saved.');
    } catch (failure) {
      setSaveError(failure);
    } finally {
      setSaving(false);
    }
  };
  const shown = account ?? me;
  return html`
    <section class="panel">
      <h2 id="profile-title">Profile</h2>
      <${Alert} error=${error} />
      <dl class="facts">
        <div>
          <dt>Username</dt>
          <dd>${shown.username}</dd>
        </div>
        ${
          account
            ? html`
                <div>
                  <dt>Email</dt>
                  <dd class="cell-break">${account.email}${account.is_verified ? '' : ' (not verified)'}</dd>
                </div>
                <div>
                  <dt>Status</dt>
                  <dd>${statusLabel(account)}</dd>
                </div>
                <div>
                  <dt>Member since</dt>
                  <dd>${formatDateTime(account.created_at)}</dd>
                </div>
              `
            : null
        }
        <div>
          <dt>Role</dt>
          <dd>${shown.is_superuser ? html`<${Badge} tone="accent">Superuser<//>` : 'User'}</dd>
        </div>
      </dl>
      ${
        account
          ? html`
              <form class="inline-form" onSubmit=${save}>
                <${Field}
                  label="Institution"
                  autocomplete="organization"
                  maxlength="300"
                  value=${institution}
                  onInput=${(e) => setInstitution(e.currentTarget.value)}
                />
                <button type="submit" class="button" disabled=${saving}>Save institution</button>
              </form>
              <${Alert} error=${saveError} />
            `
          : null
      }
    </section>
  `;
}

function ChangePassword({ username, onChanged }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/users/me/password', { body: { current_password: current, new_password: next } });
      setCurrent('');
      setNext('');
      announce('Password changed. Your other sessions were ended; this one stays.');
      onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <section class="panel">
      <h2 id="password-title">Change password</h2>
      <form class="stack" onSubmit=${submit}>
        <input type="text" name="username" autocomplete="username" value=${username} hidden readonly />
        <${Field}
          label="Current password"
          type="password"
          autocomplete="current-password"
          required
          value=${current}
          onInput=${(e) => setCurrent(e.currentTarget.value)}
        />
        <${Field}
          label="New password"
          type="password"
          autocomplete="new-password"
          required
          minlength="8"
          maxlength="128"
          hint="8 to 128 characters, not your username or email. Your other sessions end when it changes."
          value=${next}
          onInput=${(e) => setNext(e.currentTarget.value)}
        />
        <${Alert} error=${error} />
        <div><button type="submit" class="button button-primary" disabled=${busy}>Change password</button></div>
      </form>
    </section>
  `;
}

function Sessions({ version, onChanged }) {
  const [sessions, setSessions] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api('GET', '/users/me/sessions')
      .then((answer) => setSessions(answer.sessions))
      .catch(setError);
  }, [version]);
  const revoke = async (session) => {
    setError(null);
    try {
      await api('DELETE', `/users/me/sessions/${session.id}`);
      if (session.current) {
        endSession('You have signed out.', { alert: false });
        return;
      }
      announce(`Session of ${browserName(session.user_agent)} ended.`);
      onChanged();
    } catch (failure) {
      setError(failure);
    }
  };
  const revokeOthers = async () => {
    setError(null);
    try {
      const answer = await api('POST', '/users/me/sessions/revoke-others');
      announce(`${answer.revoked} other ${answer.revoked === 1 ? 'session' : 'sessions'} ended.`);
      onChanged();
    } catch (failure) {
      setError(failure);
    }
  };
  const others = sessions?.filter((session) => !session.current).length ?? 0;
  return html`
    <section class="panel">
      <div class="panel-header">
        <h2 id="sessions-title">Sessions</h2>
        ${others > 0 ? html`<button type="button" class="button button-small" onClick=${revokeOthers}>End all other sessions</button>` : null}
      </div>
      <p class="muted">Where your account is signed in now. Revoke any you do not recognise.</p>
      <${Alert} error=${error} />
      ${
        sessions === null
          ? error
            ? null
            : html`<${Loading} label="Loading sessions…" />`
          : html`
              <ul class="session-list">
                ${sessions.map(
                  (session) => html`
                    <li key=${session.id} class=${session.current ? 'current' : undefined}>
                      <div>
                        <span class="session-browser" id=${`session-${session.id}`}>${browserName(session.user_agent)}</span>
                        ${session.current ? html` <${Badge} tone="ok">This session<//>` : null}
                      </div>
                      <span class="muted">${session.ip ?? 'unknown address'}</span>
                      <span class="muted"
                        >signed in ${formatDateTime(session.created_at)}, last seen ${formatDateTime(session.last_seen_at)}</span
                      >
                      <button
                        type="button"
                        class="button button-small"
                        aria-describedby=${`session-${session.id}`}
                        onClick=${() => revoke(session)}
                      >
                        Revoke
                      </button>
                    </li>
                  `,
                )}
              </ul>
            `
      }
    </section>
  `;
}

export function Account({ me }) {
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((v) => v + 1);
  return html`
    <${Page} title="Account" lead=${`Signed in as ${me.username}.`}>
      <div class="columns">
        <${Profile} me=${me} />
        <${ChangePassword} username=${me.username} onChanged=${changed} />
      </div>
      <${Sessions} version=${version} onChanged=${changed} />
    <//>
  `;
}
