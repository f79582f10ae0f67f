// Audit (docs/API.md §10, §12): the trail newest first, with filters, keyset pages, and an export
// of every matching event as CSV or NDJSON.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { setQuery } from '../router.js';
import { Alert, announce, EmptyState, Field, Loading, Page, Pager, Select, useDebounced } from '../ui.js';
import { EVENT_LABELS, EventsTable } from '../audit-view.js';

const PAGE_SIZE = 50;
const UUID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/i;

const TYPE_OPTIONS = [['', 'Any event'], ...Object.entries(EVENT_LABELS).sort((a, b) => a[1].localeCompare(b[1]))];

/** "To" is a day people include; the API's `until` excludes it: send the next day. */
function dayAfter(date) {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

export function Audit({ query }) {
  const [type, setType] = useState(query.get('event_type') ?? '');
  const [actor, setActor] = useState(query.get('actor_id') ?? '');
  const [target, setTarget] = useState(query.get('target_id') ?? '');
  const [from, setFrom] = useState(query.get('from') ?? '');
  const [to, setTo] = useState(query.get('to') ?? '');
  const actorId = useDebounced(actor.trim());
  const targetId = useDebounced(target.trim());
  const badId = [actorId, targetId].some((id) => id !== '' && !UUID.test(id));

  const filters = {
    event_type: type,
    actor_id: actorId,
    target_id: targetId,
    since: from,
    until: to ? dayAfter(to) : '',
  };
  const key = JSON.stringify(filters);
  const [paging, setPaging] = useState({ key, cursor: undefined, before: [] });
  const current = paging.key === key ? paging : { key, cursor: undefined, before: [] };
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  const [exporting, setExporting] = useState(null);
  // The events on screen may answer an earlier filter while the new one loads: their next cursor
  // only counts once they answer this one.
  const request = JSON.stringify([key, current.cursor ?? null]);
  const fresh = page !== null && page.request === request;

  useEffect(() => {
    if (badId) return undefined;
    let live = true;
    setQuery({ event_type: type, actor_id: actorId, target_id: targetId, from, to });
    setError(null);
    api('GET', '/admin/audit-events', { query: { ...filters, limit: PAGE_SIZE, cursor: current.cursor } })
      .then((answer) => live && setPage({ ...answer, request }))
      .catch((failure) => live && setError(failure));
    return () => {
      live = false;
    };
  }, [key, current.cursor, badId]);

  const exportAs = async (format) => {
    setExporting(format);
    setError(null);
    try {
      const response = await api('GET', '/admin/audit-events/export', { query: { ...filters, format }, raw: true });
      const blob = await response.blob();
      const disposition = response.headers.get('Content-Disposition') ?? '';
      const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `gatehouse-audit.${format}`;
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      announce(`Export saved as ${name}.`);
    } catch (failure) {
      setError(failure);
    } finally {
      setExporting(null);
    }
  };

  return html`
    <${Page}
      title="Audit"
      lead="Every change and every sign-in, newest first. The trail cannot be edited."
      wide
      actions=${html`
        <button type="button" class="button" onClick=${() => exportAs('csv')} disabled=${exporting !== null}>
          ${exporting === 'csv' ? 'Exporting…' : 'Export CSV'}
        </button>
        <button type="button" class="button" onClick=${() => exportAs('ndjson')} disabled=${exporting !== null}>
          ${exporting === 'ndjson' ? 'Exporting…' : 'Export NDJSON'}
        </button>
      `}
    >
      <form class="filters" aria-label="Filter events" onSubmit=${(e) => e.preventDefault()}>
        <${Select} label="Event type" value=${type} onChange=${setType} options=${TYPE_OPTIONS} />
        <${Field}
          label="Actor ID"
          value=${actor}
          spellcheck="false"
          placeholder="User id"
          onInput=${(e) => setActor(e.currentTarget.value)}
        />
        <${Field}
          label="Target ID"
          value=${target}
          spellcheck="false"
          placeholder="User id"
          onInput=${(e) => setTarget(e.currentTarget.value)}
        />
        <${Field} label="From" type="date" value=${from} onInput=${(e) => setFrom(e.currentTarget.value)} />
        <${Field} label="To" type="date" value=${to} onInput=${(e) => setTo(e.currentTarget.value)} />
      </form>
      ${badId ? html`<${Alert} message="A user id looks like 3f1c2a9e-5b7d-4c1e-9a2b-8d6e4f0a1b2c." />` : html`<${Alert} error=${error} />`}
      ${
        !page
          ? error
            ? null
            : html`<${Loading} label="Loading events…" />`
          : page.events.length === 0
            ? html`<${EmptyState} title="No events match">Widen the dates or clear a filter.<//>`
            : html`<${EventsTable} events=${page.events} caption="Audit events, newest first" />`
      }
      ${
        fresh
          ? html`<${Pager}
              label="Audit pages"
              hasPrevious=${current.before.length > 0}
              nextCursor=${page.next_cursor}
              previousText="Newer events"
              nextText="Older events"
              onPrevious=${() => setPaging({ key, cursor: current.before[current.before.length - 1], before: current.before.slice(0, -1) })}
              onNext=${() => setPaging({ key, cursor: page.next_cursor, before: [...current.before, current.cursor] })}
            />`
          : null
      }
    <//>
  `;
}
