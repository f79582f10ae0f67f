// A user's page (docs/API.md §10, §15): profile, sessions, history, and the superuser actions,
// each confirmed in a dialog.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { BASE, navigate } from '../router.js';
import { browserName, formatDateTime } from '../format.js';
import { Alert, announce, Badge, ConfirmDialog, EmptyState, Loading, Page, Pager } from '../ui.js';
import { EventsTable } from '../audit-view.js';
import { findUser, forgetUser } from '../users-cache.js';
import { StatusBadge } from './users.js';

const HISTORY_SIZE = 20;

function actionsFor(user) {
  const name = user.username;
  const actions = [];
  actions.push(
    user.is_superuser
      ? {
          label: 'Demote',
          title: `Demote ${name}?`,
          text: `${name} stops being a superuser: the admin pages refuse them from their next request. Their account and sessions stay.`,
          reason: true,
          run: (reason) => api('POST', `/admin/users/${user.id}/demote`, { body: reason ? { reason } : {} }),
          done: `${name} is no longer a superuser.`,
        }
      : {
          label: 'Promote',
          title: `Make ${name} a superuser?`,
          text: `${name} will be able to approve registrations, manage every user and read the audit trail.`,
          reason: true,
          run: (reason) => api('POST', `/admin/users/${user.id}/promote`, { body: reason ? { reason } : {} }),
          done: `${name} is now a superuser.`,
        },
  );
  actions.push(
    user.is_active
      ? {
          label: 'Deactivate',
          title: `Deactivate ${name}?`,
          text: `${name} is signed out everywhere at once and cannot sign in until activated again.`,
          run: () => api('PATCH', `/admin/users/${user.id}`, { body: { is_active: false } }),
          done: `${name} is deactivated and signed out everywhere.`,
        }
      : {
          label: 'Activate',
          title: `Activate ${name}?`,
          text:
            user.approval_status === 'approved'
              ? `${name} can sign in again.`
              : `${name}'s registration is ${user.approval_status}: activating does not approve it.`,
          run: () => api('PATCH', `/admin/users/${user.id}`, { body: { is_active: true } }),
          done: `${name} is active again.`,
        },
  );
  actions.push({
    label: 'Unlock',
    title: `Unlock ${name}?`,
    text: `Clears the failed sign-in counters of ${name}, so a lock after too many wrong passwords ends now.`,
    run: () => api('POST', `/admin/users/${user.id}/unlock`),
    done: `${name} is unlocked.`,
  });
  actions.push({
    label: 'Delete',
    title: `Delete ${name}?`,
    text: `The account of ${name} (${user.email}) is removed with its sessions; its files are archived on the server. This cannot be undone here.`,
    danger: true,
    run: () => api('DELETE', `/admin/users/${user.id}`),
    done: `${name} was deleted.`,
    deleted: true,
  });
  return actions;
}

function Profile({ user }) {
  const rows = [
    ['Email', user.email],
    ['Institution', user.institution || '—'],
    ['Registration', user.approval_status],
    ['Email verified', user.is_verified ? 'Yes' : 'No'],
    ['Note at registration', user.approval_note || '—'],
    ['Joined', formatDateTime(user.created_at)],
    ['Approved', user.approved_at ? formatDateTime(user.approved_at) : '—'],
    ['User id', html`<code>${user.id}</code>`],
  ];
  return html`
    <section class="panel">
      <h2 id="profile-title">Profile</h2>
      <dl class="facts">
        ${rows.map(
          ([term, detail]) =>
            html`<div>
              <dt>${term}</dt>
              <dd>${detail}</dd>
            </div>`,
        )}
      </dl>
    </section>
  `;
}

function Sessions({ user, version, onAsk }) {
  const [sessions, setSessions] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    setError(null);
    api('GET', `/admin/users/${user.id}/sessions`)
      .then((answer) => setSessions(answer.sessions))
      .catch(setError);
  }, [user.id, version]);
  return html`
    <section class="panel">
      <div class="panel-header">
        <h2 id="sessions-title">Sessions</h2>
        ${
          sessions?.length
            ? html`<button type="button" class="button button-small" onClick=${onAsk}>Revoke all sessions</button>`
            : null
        }
      </div>
      <${Alert} error=${error} />
      ${
        sessions === null
          ? error
            ? null
            : html`<${Loading} label="Loading sessions…" />`
          : sessions.length === 0
            ? html`<p class="muted">No open session: ${user.username} is not signed in anywhere.</p>`
            : html`
                <ul class="session-list">
                  ${sessions.map(
                    (session) => html`
                      <li key=${session.id}>
                        <span class="session-browser">${browserName(session.user_agent)}</span>
                        <span class="muted">${session.ip ?? 'unknown address'}</span>
                        <span class="muted"
                          >${`signed in ${formatDateTime(session.created_at)}, last seen ${formatDateTime(session.last_seen_at)}`}</span
                        >
                      </li>
                    `,
                  )}
                </ul>
              `
      }
    </section>
  `;
}

function History({ user, version }) {
  const [paging, setPaging] = useState({ cursor: undefined, before: [] });
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    setError(null);
    api('GET', '/admin/audit-events', { query: { target_id: user.id, limit: HISTORY_SIZE, cursor: paging.cursor } })
      .then(setPage)
      .catch(setError);
  }, [user.id, paging.cursor, version]);
  return html`
    <section class="panel">
      <h2 id="history-title">History</h2>
      <${Alert} error=${error} />
      ${
        !page
          ? error
            ? null
            : html`<${Loading} label="Loading history…" />`
          : page.events.length === 0
            ? html`<${EmptyState} title="Nothing recorded yet" />`
            : html`<${EventsTable}
                events=${page.events}
                caption=${`Audit events about ${user.username}, newest first`}
                showTarget=${false}
              />`
      }
      ${
        page
          ? html`<${Pager}
              label="History pages"
              hasPrevious=${paging.before.length > 0}
              nextCursor=${page.next_cursor}
              previousText="Newer events"
              nextText="Older events"
              onPrevious=${() => setPaging({ cursor: paging.before[paging.before.length - 1], before: paging.before.slice(0, -1) })}
              onNext=${() => setPaging({ cursor: page.next_cursor, before: [...paging.before, paging.cursor] })}
            />`
          : null
      }
    </section>
  `;
}

export function UserPage({ me, params }) {
  const [id] = params;
  const [user, setUser] = useState(undefined);
  const [error, setError] = useState(null);
  const [dialog, setDialog] = useState(null);
  const [version, setVersion] = useState(0);

  const load = () =>
    findUser(id)
      .then(setUser)
      .catch((failure) => {
        setError(failure);
        setUser(null);
      });
  useEffect(() => {
    load();
  }, [id]);

  if (user === undefined) return html`<${Page} title="User"><${Loading} label="Loading the user…" /><//>`;
  if (user === null) {
    return html`
      <${Page} title="User not found">
        <${Alert} error=${error} />
        ${error ? null : html`<p>No user has this id; they may have been deleted.</p>`}
        <p><a href=${`${BASE}/users`}>Back to the user list</a></p>
      <//>
    `;
  }

  const run = (action) => async (reason) => {
    await action.run(reason);
    announce(action.done);
    if (action.deleted) {
      forgetUser(user.id);
      navigate(`${BASE}/users`);
      return;
    }
    forgetUser(user.id);
    setUser((await findUser(user.id)) ?? null);
    setVersion((v) => v + 1);
  };

  const revokeAll = {
    title: `End every session of ${user.username}?`,
    text: `${user.username} is signed out everywhere; they can sign in again.`,
    run: async () => {
      const answer = await api('DELETE', `/admin/users/${user.id}/sessions`);
      announce(`${answer.revoked} ${answer.revoked === 1 ? 'session' : 'sessions'} of ${user.username} ended.`);
      setVersion((v) => v + 1);
    },
  };

  const actions = actionsFor(user);
  const self = user.id === me.id;
  return html`
    <${Page}
      title=${user.username}
      lead=${html`<span class="cell-break">${user.email}</span> <${StatusBadge} user=${user} /> ${
          user.is_superuser ? html`<${Badge} tone="accent">Superuser<//>` : null
        }`}
      wide
    >
      <p class="back"><a href=${`${BASE}/users`}>← Back to the user list</a></p>
      <div class="toolbar" role="group" aria-label=${`Actions on ${user.username}`}>
        ${actions.map(
          (action) => html`
            <button
              type="button"
              class=${action.danger ? 'button button-danger-quiet' : 'button'}
              onClick=${() => setDialog({ ...action, run: run(action), text: self ? `${action.text} This is your own account.` : action.text })}
            >
              ${action.label}
            </button>
          `,
        )}
      </div>
      <div class="columns">
        <${Profile} user=${user} />
        <${Sessions} user=${user} version=${version} onAsk=${() => setDialog(revokeAll)} />
      </div>
      <${History} user=${user} version=${version} />
      ${
        dialog
          ? html`<${ConfirmDialog}
              title=${dialog.title}
              description=${html`<p>${dialog.text}</p>`}
              reason=${Boolean(dialog.reason)}
              reasonHint="Optional. Kept in the audit trail."
              confirmClass=${dialog.danger ? 'button-danger' : 'button-primary'}
              onConfirm=${dialog.run}
              onClose=${() => setDialog(null)}
            />`
          : null
      }
    <//>
  `;
}
