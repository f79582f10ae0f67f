// Approvals (docs/API.md §10, §15): the queue of pending registrations, oldest first; approve,
// reject with a reason, or decide several at once.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { setQuery } from '../router.js';
import { formatDateTime, since } from '../format.js';
import { Alert, announce, Badge, Email, ConfirmDialog, EmptyState, Field, Loading, Page, useDebounced } from '../ui.js';

const PAGE_SIZE = 50;
const LONG_WAIT_MS = 3 * 24 * 3600 * 1000;

const queueChanged = () => window.dispatchEvent(new CustomEvent('gatehouse:queue-changed'));

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/** After a row leaves the table, focus the same place in the list (or the heading when empty). */
function focusRowAction(index) {
  setTimeout(() => {
    const rows = document.querySelectorAll('#queue tbody tr');
    const row = rows[Math.min(index, rows.length - 1)];
    const target = row?.querySelector('button') ?? document.querySelector('main h1');
    target?.focus();
  }, 0);
}

function outcomeSummary(results) {
  const counts = {};
  for (const { outcome } of results) counts[outcome] = (counts[outcome] ?? 0) + 1;
  const words = {
    approved: (n) => `${plural(n, 'person', 'people')} approved`,
    rejected: (n) => `${plural(n, 'person', 'people')} rejected`,
    already_approved: (n) => `${n} already approved`,
    not_pending: (n) => `${n} no longer pending`,
    not_found: (n) => `${n} no longer exist${n === 1 ? 's' : ''}`,
  };
  return `${Object.entries(counts)
    .map(([outcome, n]) => (words[outcome] ? words[outcome](n) : `${n} ${outcome}`))
    .join(', ')}.`;
}

export function Approvals({ query }) {
  const [search, setSearch] = useState(query.get('q') ?? '');
  const [institution, setInstitution] = useState(query.get('institution') ?? '');
  const q = useDebounced(search.trim());
  const inst = useDebounced(institution.trim());

  const [queue, setQueue] = useState({ items: [], count: 0, next: null, loaded: false });
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState(null);
  const [selected, setSelected] = useState(() => new Set());
  const [dialog, setDialog] = useState(null);
  const [busyRow, setBusyRow] = useState(null);
  const [now, setNow] = useState(Date.now());
  const selectAll = useRef(null);

  const fetchPage = (cursor) =>
    api('GET', '/admin/pending-approvals', { query: { q, institution: inst, limit: PAGE_SIZE, cursor } });

  useEffect(() => {
    let live = true;
    setQuery({ q, institution: inst });
    setError(null);
    fetchPage()
      .then((page) => {
        if (!live) return;
        setQueue({ items: page.pending_users, count: page.count, next: page.next_cursor ?? null, loaded: true });
        setSelected(new Set());
        setNow(Date.now());
      })
      .catch((failure) => live && (setError(failure), setQueue((old) => ({ ...old, loaded: true }))));
    return () => {
      live = false;
    };
  }, [q, inst]);

  const more = async () => {
    setLoadingMore(true);
    try {
      const page = await fetchPage(queue.next);
      setQueue((old) => ({
        ...old,
        items: [...old.items, ...page.pending_users],
        count: page.count,
        next: page.next_cursor ?? null,
      }));
    } catch (failure) {
      setError(failure);
    } finally {
      setLoadingMore(false);
    }
  };

  const removeRows = (ids) => {
    setQueue((old) => ({
      ...old,
      items: old.items.filter((item) => !ids.includes(item.id)),
      count: Math.max(0, old.count - ids.length),
    }));
    setSelected((old) => new Set([...old].filter((id) => !ids.includes(id))));
    queueChanged();
  };

  const approve = async (user, index) => {
    setBusyRow(user.id);
    setError(null);
    try {
      await api('POST', `/admin/users/${user.id}/approve`, { body: { approved: true } });
      removeRows([user.id]);
      announce(`${user.username} approved: they can sign in now.`);
      focusRowAction(index);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusyRow(null);
    }
  };

  const reject = (user, index) =>
    setDialog({
      title: `Reject ${user.username}?`,
      description: html`<p>
        ${user.username} (${user.email}) will be told by mail, with your reason when you give one. The reason is kept in the audit
        trail.
      </p>`,
      confirm: async (reason) => {
        await api('POST', `/admin/users/${user.id}/approve`, {
          body: reason ? { approved: false, reason } : { approved: false },
        });
        removeRows([user.id]);
        announce(`${user.username} rejected.`);
        focusRowAction(index);
      },
    });

  const decideSelected = async (approved, reason) => {
    const ids = [...selected];
    const body = { user_ids: ids, approved };
    if (reason) body.reason = reason;
    const answer = await api('POST', '/admin/users/bulk-approve', { body });
    removeRows(answer.results.map((result) => result.id));
    announce(outcomeSummary(answer.results));
    focusRowAction(0);
  };

  const approveSelected = async () => {
    setError(null);
    try {
      await decideSelected(true);
    } catch (failure) {
      setError(failure);
    }
  };

  const rejectSelected = () =>
    setDialog({
      title: `Reject ${plural(selected.size, 'person', 'people')}?`,
      description: html`<p>Each of them is told by mail, with the reason when you give one.</p>`,
      confirm: (reason) => decideSelected(false, reason),
    });

  const toggle = (id) =>
    setSelected((old) => {
      const next = new Set(old);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const allSelected = queue.items.length > 0 && queue.items.every((item) => selected.has(item.id));
  const someSelected = selected.size > 0 && !allSelected;
  useEffect(() => {
    if (selectAll.current) selectAll.current.indeterminate = someSelected;
  }, [someSelected]);
  const toggleAll = () => setSelected(allSelected ? new Set() : new Set(queue.items.map((item) => item.id)));

  const filtered = q !== '' || inst !== '';
  const oldest = queue.items[0];
  const lead = !queue.loaded
    ? 'Registrations waiting for a decision, oldest first.'
    : queue.count === 0
      ? filtered
        ? 'No one in the queue matches these filters.'
        : 'No one is waiting for a decision.'
      : `${plural(queue.count, 'person', 'people')} ${filtered ? 'match' : queue.count === 1 ? 'is waiting' : 'are waiting'}${
          oldest && !filtered ? `; the oldest for ${since(oldest.created_at, now)}` : ''
        }.`;

  return html`
    <${Page} title="Approvals" lead=${lead} wide>
      <form class="filters" role="search" aria-label="Filter the queue" onSubmit=${(e) => e.preventDefault()}>
        <${Field}
          label="Search"
          id="queue-search"
          type="search"
          value=${search}
          placeholder="Name, email or institution"
          onInput=${(e) => setSearch(e.currentTarget.value)}
        />
        <${Field}
          label="Institution"
          id="queue-institution"
          type="text"
          value=${institution}
          placeholder="Exact name"
          onInput=${(e) => setInstitution(e.currentTarget.value)}
        />
      </form>

      <${Alert} error=${error} />

      <div class="bulk-bar" role="group" aria-label="Decide the selected registrations">
        <span class="bulk-count" aria-live="polite">${selected.size === 0 ? 'None selected' : `${selected.size} selected`}</span>
        <button type="button" class="button button-primary" disabled=${selected.size === 0} onClick=${approveSelected}>
          Approve selected
        </button>
        <button type="button" class="button button-danger-quiet" disabled=${selected.size === 0} onClick=${rejectSelected}>
          Reject selected
        </button>
      </div>

      ${
        !queue.loaded
          ? html`<${Loading} label="Loading the queue…" />`
          : queue.items.length === 0
            ? html`<${EmptyState} title=${filtered ? 'Nothing matches' : 'All caught up'}>
                ${filtered ? 'Clear the search or the institution to see the whole queue.' : 'New registrations appear here, oldest first.'}
              <//>`
            : html`
                <div class="table-wrap">
                  <table id="queue" class="table cards">
                    <caption class="visually-hidden">
                      Pending registrations, oldest first
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col" class="col-select">
                          <input
                            ref=${selectAll}
                            type="checkbox"
                            aria-label="Select all"
                            checked=${allSelected}
                            onChange=${toggleAll}
                          />
                        </th>
                        <th scope="col">Username</th>
                        <th scope="col">Email</th>
                        <th scope="col">Institution</th>
                        <th scope="col">Note</th>
                        <th scope="col">Waiting</th>
                        <th scope="col">Trusted domain</th>
                        <th scope="col"><span class="visually-hidden">Decision</span></th>
                      </tr>
                    </thead>
                    <tbody>
                      ${queue.items.map((user, index) => {
                        const waited = now - new Date(user.created_at).getTime();
                        return html`
                          <tr key=${user.id} class=${selected.has(user.id) ? 'selected' : undefined}>
                            <td class="col-select">
                              <input
                                type="checkbox"
                                aria-label=${`Select ${user.username}`}
                                checked=${selected.has(user.id)}
                                onChange=${() => toggle(user.id)}
                              />
                            </td>
                            <th scope="row" data-label="Username" id=${`pending-${user.id}`} class="cell-strong">
                              ${user.username}
                            </th>
                            <td data-label="Email" class="cell-break"><${Email} address=${user.email} /></td>
                            <td data-label="Institution">${user.institution || html`<span class="muted">—</span>`}</td>
                            <td data-label="Note" class="cell-note">
                              ${user.approval_note || html`<span class="muted">—</span>`}
                            </td>
                            <td data-label="Waiting" class="cell-nowrap">
                              <time
                                datetime=${user.created_at}
                                title=${formatDateTime(user.created_at)}
                                class=${waited > LONG_WAIT_MS ? 'waiting-long' : undefined}
                                >${since(user.created_at, now)}</time
                              >
                            </td>
                            <td data-label="Trusted domain">
                              ${user.trusted_domain ? html`<${Badge} tone="ok">${user.trusted_domain}<//>` : html`<span class="muted">—</span>`}
                            </td>
                            <td class="cell-actions">
                              <button
                                type="button"
                                class="button button-primary button-small"
                                aria-describedby=${`pending-${user.id}`}
                                disabled=${busyRow === user.id}
                                onClick=${() => approve(user, index)}
                              >
                                Approve
                              </button>
                              <button
                                type="button"
                                class="button button-small"
                                aria-describedby=${`pending-${user.id}`}
                                disabled=${busyRow === user.id}
                                onClick=${() => reject(user, index)}
                              >
                                Reject
                              </button>
                            </td>
                          </tr>
                        `;
                      })}
                    </tbody>
                  </table>
                </div>
                ${
                  queue.next
                    ? html`<div class="pager">
                        <button type="button" class="button" onClick=${more} disabled=${loadingMore}>
                          ${loadingMore ? 'Loading…' : `Show ${PAGE_SIZE} more`}
                        </button>
                      </div>`
                    : null
                }
              `
      }
      ${
        dialog
          ? html`<${ConfirmDialog}
              title=${dialog.title}
              description=${dialog.description}
              reason
              reasonHint="Optional. Sent to the person and kept in the audit trail."
              confirmClass="button-danger"
              onConfirm=${dialog.confirm}
              onClose=${() => setDialog(null)}
            />`
          : null
      }
    <//>
  `;
}
