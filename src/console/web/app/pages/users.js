// Users (docs/API.md §10 GET /admin/users): search, filters, keyset pages; each username links to
// the user's page.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { BASE, setQuery } from '../router.js';
import { formatDate, statusLabel } from '../format.js';
import { Alert, Badge, Email, EmptyState, Loading, Page, Pager, Select, useDebounced } from '../ui.js';
import { rememberUsers } from '../users-cache.js';

const PAGE_SIZE = 50;

const STATUSES = [
  ['', 'Any status'],
  ['pending', 'Pending'],
  ['approved', 'Approved'],
  ['rejected', 'Rejected'],
  ['active', 'Active'],
  ['inactive', 'Inactive'],
];
const ROLES = [
  ['', 'Anyone'],
  ['true', 'Superusers only'],
  ['false', 'Not superusers'],
];
const SORTS = [
  ['-created_at', 'Newest first'],
  ['created_at', 'Oldest first'],
  ['username', 'Username A–Z'],
  ['-username', 'Username Z–A'],
  ['email', 'Email A–Z'],
];

const STATUS_TONE = { Active: 'ok', Pending: 'warn', Rejected: 'danger', Inactive: 'neutral' };

export function StatusBadge({ user }) {
  const label = statusLabel(user);
  return html`<${Badge} tone=${STATUS_TONE[label]}>${label}<//>`;
}

export function Users({ query }) {
  const [search, setSearch] = useState(query.get('q') ?? '');
  const [status, setStatus] = useState(query.get('status') ?? '');
  const [superuser, setSuperuser] = useState(query.get('is_superuser') ?? '');
  const [sort, setSort] = useState(query.get('sort') ?? '-created_at');
  const q = useDebounced(search.trim());
  // Keyset pages only go forward: remember the cursors of the pages before this one. A change of
  // filter or sort starts again from the first page.
  const key = JSON.stringify([q, status, superuser, sort]);
  const [paging, setPaging] = useState({ key, cursor: undefined, before: [] });
  const current = paging.key === key ? paging : { key, cursor: undefined, before: [] };
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  // The page on screen may answer an earlier filter while the new one loads: its counts and its
  // next cursor only count once it answers this one.
  const request = JSON.stringify([key, current.cursor ?? null]);
  const fresh = page !== null && page.request === request;

  useEffect(() => {
    let live = true;
    setQuery({ q, status, is_superuser: superuser, sort: sort === '-created_at' ? '' : sort });
    setError(null);
    api('GET', '/admin/users', { query: { q, status, is_superuser: superuser, sort, limit: PAGE_SIZE, cursor: current.cursor } })
      .then((answer) => {
        if (!live) return;
        rememberUsers(answer.users);
        setPage({ ...answer, request });
      })
      .catch((failure) => live && setError(failure));
    return () => {
      live = false;
    };
  }, [key, current.cursor]);

  const next = () => setPaging({ key, cursor: page.next_cursor, before: [...current.before, current.cursor] });
  const previous = () =>
    setPaging({ key, cursor: current.before[current.before.length - 1], before: current.before.slice(0, -1) });

  const lead = fresh
    ? `${page.total} ${page.total === 1 ? 'user' : 'users'}${q || status || superuser ? (page.total === 1 ? ' matches' : ' match') : ''} · ${page.active_users} active · ${page.superusers} ${
        page.superusers === 1 ? 'superuser' : 'superusers'
      }`
    : page
      ? 'Updating the list…'
      : 'Everyone with an account, whatever their state.';

  return html`
    <${Page} title="Users" lead=${lead} wide>
      <form class="filters" role="search" aria-label="Filter users" onSubmit=${(e) => e.preventDefault()}>
        <div class="field field-grow">
          <label for="users-search">Search</label>
          <input
            id="users-search"
            type="search"
            value=${search}
            placeholder="Username, email or institution"
            onInput=${(e) => setSearch(e.currentTarget.value)}
          />
        </div>
        <${Select} label="Status" value=${status} onChange=${setStatus} options=${STATUSES} />
        <${Select} label="Superuser" value=${superuser} onChange=${setSuperuser} options=${ROLES} />
        <${Select} label="Sort" value=${sort} onChange=${setSort} options=${SORTS} />
      </form>
      <${Alert} error=${error} />
      ${
        !page
          ? error
            ? null
            : html`<${Loading} label="Loading users…" />`
          : page.users.length === 0
            ? html`<${EmptyState} title="No users match">Try another search or clear the filters.<//>`
            : html`
                <div class="table-wrap">
                  <table class="table cards" aria-busy=${fresh ? 'false' : 'true'}>
                    <caption class="visually-hidden">
                      Users
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col">Username</th>
                        <th scope="col">Email</th>
                        <th scope="col">Institution</th>
                        <th scope="col">Status</th>
                        <th scope="col">Role</th>
                        <th scope="col">Joined</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${page.users.map(
                        (user) => html`
                          <tr key=${user.id}>
                            <th scope="row" data-label="Username" class="cell-strong">
                              <a href=${`${BASE}/users/${user.id}`}>${user.username}</a>
                            </th>
                            <td data-label="Email" class="cell-break"><${Email} address=${user.email} /></td>
                            <td data-label="Institution">${user.institution || html`<span class="muted">—</span>`}</td>
                            <td data-label="Status"><${StatusBadge} user=${user} /></td>
                            <td data-label="Role">${user.is_superuser ? html`<${Badge} tone="accent">Superuser<//>` : 'User'}</td>
                            <td data-label="Joined"><time datetime=${user.created_at}>${formatDate(user.created_at)}</time></td>
                          </tr>
                        `,
                      )}
                    </tbody>
                  </table>
                </div>
              `
      }
      ${
        fresh
          ? html`<${Pager}
              label="User pages"
              hasPrevious=${current.before.length > 0}
              nextCursor=${page.next_cursor}
              onPrevious=${previous}
              onNext=${next}
            />`
          : null
      }
    <//>
  `;
}
