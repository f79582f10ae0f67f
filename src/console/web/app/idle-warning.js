// docs/API.md §5: a session ends after SESSION_IDLE_TIMEOUT_SECONDS without a request, and at the
// latest SESSION_MAX_LIFETIME_SECONDS after sign-in. GET /config says how long; this warns before
// either end, offers to stay signed in (one request restarts the idle clock), and once the time
// has passed, checks with the server and returns to sign-in.
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api, endSession, lastActivityAt, onActivity, tokenClaims } from './api.js';
import { Dialog } from './ui.js';

function clock(ms) {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

function minutesText(minutes) {
  if (minutes >= 1) return `${Math.round(minutes)} minute${Math.round(minutes) === 1 ? '' : 's'}`;
  return `${Math.round(minutes * 60)} seconds`;
}

/** When to warn and when the session ends, from /config and the last answered request. */
export function idleSchedule(idleMinutes, lastActivity) {
  const idleMs = idleMinutes * 60_000;
  // The server writes last_seen_at at most once per min(60 s, idle / 20): it may end that much early.
  const slack = Math.min(60_000, idleMs / 20);
  const endsAt = lastActivity + idleMs - slack;
  const warnAt = endsAt - Math.min(120_000, idleMs / 2);
  return { warnAt, endsAt, checkAt: lastActivity + idleMs + 1000 };
}

export function IdleWarning({ idleMinutes }) {
  const [now, setNow] = useState(Date.now());
  const [activity, setActivity] = useState(lastActivityAt());
  const [lifetimeSeen, setLifetimeSeen] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => onActivity(setActivity), []);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  const schedule = idleMinutes ? idleSchedule(idleMinutes, activity) : null;
  const expiresAt = (tokenClaims()?.exp ?? 0) * 1000;

  const idleOver = schedule && now >= schedule.checkAt;
  const lifetimeOver = expiresAt > 0 && now >= expiresAt + 1000;
  useEffect(() => {
    if (!idleOver && !lifetimeOver) return;
    // Ask the server rather than guess: a 401 ends the session in api(); anything else, carry on.
    const ended = lifetimeOver
      ? 'Your session reached its time limit. Please sign in again.'
      : `Your session ended after ${minutesText(idleMinutes)} without activity. Please sign in again.`;
    api('GET', '/whoami', { ended }).catch(() => undefined);
  }, [idleOver, lifetimeOver]);

  if (!schedule) return null;
  const stay = async () => {
    setBusy(true);
    try {
      await api('GET', '/whoami');
    } finally {
      setBusy(false);
    }
  };
  const signOut = () => {
    api('POST', '/jwt/logout')
      .catch(() => undefined)
      .finally(() => endSession('You have signed out.', { alert: false }));
  };

  if (now >= schedule.warnAt && now < schedule.checkAt) {
    return html`
      <${Dialog} title="Your session is about to end" role="alertdialog" onClose=${stay}>
        <p class="dialog-text">
          Nothing has been sent to Gatehouse for a while: because of inactivity, your session expires in
          <strong class="countdown"> ${clock(schedule.endsAt - now)}</strong>. Stay signed in to keep working.
        </p>
        <div class="dialog-buttons">
          <button type="button" class="button" onClick=${signOut}>Sign me out</button>
          <button type="button" class="button button-primary" onClick=${stay} disabled=${busy} autofocus>Stay signed in</button>
        </div>
      <//>
    `;
  }
  const lifetimeWarnAt = expiresAt - Math.min(120_000, (idleMinutes * 60_000) / 2);
  if (expiresAt > 0 && !lifetimeSeen && now >= lifetimeWarnAt && now < expiresAt) {
    return html`
      <${Dialog} title="Your session reaches its time limit" role="alertdialog" onClose=${() => setLifetimeSeen(true)}>
        <p class="dialog-text">
          Sessions last a limited time, however active. You will need to sign in again in
          <strong class="countdown"> ${clock(expiresAt - now)}</strong>.
        </p>
        <div class="dialog-buttons">
          <button type="button" class="button button-primary" onClick=${() => setLifetimeSeen(true)} autofocus>OK</button>
        </div>
      <//>
    `;
  }
  return null;
}
