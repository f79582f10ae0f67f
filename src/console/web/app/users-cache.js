// The API has no "one user by id" route (docs/API.md §10 lists users by search), so a user's page
// finds its user by searching: with the username seen in the list, or else the one the audit
// trail recorded for that id.
import { api } from './api.js';

const seen = new Map();

export function rememberUsers(users) {
  for (const user of users) seen.set(user.id, user);
}

async function search(q, id) {
  let cursor;
  for (let page = 0; page < 20; page += 1) {
    const answer = await api('GET', '/admin/users', { query: { q, sort: 'username', limit: 1000, cursor } });
    const found = answer.users.find((user) => user.id === id);
    if (found) return found;
    if (!answer.next_cursor) return null;
    cursor = answer.next_cursor;
  }
  return null;
}

/** The user shape of `id`, fresh from the API; null when there is no such user. */
export async function findUser(id) {
  const hints = [];
  if (seen.has(id)) hints.push(seen.get(id).username);
  else {
    const trail = await api('GET', '/admin/audit-events', { query: { target_id: id, limit: 1 } });
    if (trail.events[0]?.target_username) hints.push(trail.events[0].target_username);
  }
  for (const hint of hints) {
    const found = await search(hint, id);
    if (found) {
      seen.set(id, found);
      return found;
    }
  }
  const found = await search(undefined, id);
  if (found) seen.set(id, found);
  return found;
}

export function forgetUser(id) {
  seen.delete(id);
}
