// How audit events read in the console (docs/API.md §12): a plain label for each type, the
// details as short "name: value" pairs, and one table for the Audit page and a user's History.
import { html } from './html.js';
import { BASE } from './router.js';
import { formatDateTime } from './format.js';

export const EVENT_LABELS = {
  first_user_superuser_promotion: 'First user made superuser',
  user_registered: 'Registered',
  admin_user_creation: 'Created by an admin',
  admin_user_update: 'Updated by an admin',
  admin_user_promotion: 'Promoted to superuser',
  admin_user_demotion: 'Demoted from superuser',
  admin_user_deletion: 'Deleted',
  admin_user_approved: 'Approved',
  admin_user_rejected: 'Rejected',
  admin_bulk_decision: 'Bulk decision',
  auto_approved: 'Approved automatically',
  login_succeeded: 'Signed in',
  login_failed: 'Sign-in refused',
  logout: 'Signed out',
  session_revoked: 'Sessions ended',
  token_rejected: 'Token refused',
  rate_limited: 'Rate limited',
  password_changed: 'Password changed',
  password_reset_requested: 'Password reset requested',
  password_reset: 'Password reset',
  email_verified: 'Email verified',
  account_unlocked: 'Account unlocked',
  trusted_domain_added: 'Trusted domain added',
  trusted_domain_removed: 'Trusted domain removed',
  audit_exported: 'Audit exported',
  mail_failed: 'Mail failed',
  legacy_import: 'Legacy import',
};

const TONES = {
  login_failed: 'warn',
  token_rejected: 'warn',
  rate_limited: 'warn',
  mail_failed: 'danger',
  admin_user_deletion: 'danger',
  admin_user_rejected: 'danger',
  admin_user_approved: 'ok',
  auto_approved: 'ok',
};

function value(item) {
  if (item === null || item === undefined) return '—';
  if (typeof item === 'object') {
    if ('old' in item && 'new' in item) return `${value(item.old)} → ${value(item.new)}`;
    return Object.entries(item)
      .map(([name, inner]) => `${name} ${value(inner)}`)
      .join(', ');
  }
  return String(item);
}

export function detailsText(details) {
  const entries = Object.entries(details ?? {});
  if (entries.length === 0) return '';
  return entries.map(([name, item]) => `${name.replace(/_/g, ' ')}: ${value(item)}`).join(' · ');
}

function person(id, username) {
  if (!id && !username) return html`<span class="muted">system</span>`;
  if (!id) return username;
  return html`<a href=${`${BASE}/users/${id}`}>${username ?? id.slice(0, 8)}</a>`;
}

export function EventsTable({ events, caption, showTarget = true }) {
  return html`
    <div class="table-wrap">
      <table class="table cards table-events">
        <caption class="visually-hidden">
          ${caption}
        </caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Event</th>
            <th scope="col">By</th>
            ${showTarget ? html`<th scope="col">About</th>` : null}
            <th scope="col">Address</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          ${events.map(
            (event) => html`
              <tr key=${event.id}>
                <td data-label="When" class="cell-nowrap"><time datetime=${event.at}>${formatDateTime(event.at)}</time></td>
                <td data-label="Event">
                  <span class=${`event event-${TONES[event.event_type] ?? 'neutral'}`}
                    >${EVENT_LABELS[event.event_type] ?? event.event_type}</span
                  >
                  <code class="event-type">${event.event_type}</code>
                </td>
                <td data-label="By">${person(event.actor_id, event.actor_username)}</td>
                ${showTarget ? html`<td data-label="About">${event.target_id ? person(event.target_id, event.target_username) : html`<span class="muted">—</span>`}</td>` : null}
                <td data-label="Address" class="cell-nowrap">${event.ip ?? html`<span class="muted">—</span>`}</td>
                <td data-label="Details" class="cell-details">
                  ${detailsText(event.details) || html`<span class="muted">—</span>`}
                </td>
              </tr>
            `,
          )}
        </tbody>
      </table>
    </div>
  `;
}
