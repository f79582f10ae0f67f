// The few building blocks every page uses: page frame, alert, status announcements, dialogs,
// fields, badges and pagers. Plain Preact components written with htm.
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { plainWords } from './api.js';

/** The page's heading; focused after each navigation so screen readers and keyboards start there. */
export function Page({ title, lead, actions, children, wide = false }) {
  useEffect(() => {
    document.title = `${title} · Gatehouse`;
  }, [title]);
  return html`
    <div class=${wide ? 'page page-wide' : 'page'}>
      <header class="page-header">
        <div>
          <h1 tabindex="-1">${title}</h1>
          ${lead ? html`<p class="lead">${lead}</p>` : null}
        </div>
        ${actions ? html`<div class="page-actions">${actions}</div>` : null}
      </header>
      ${children}
    </div>
  `;
}

/** An API refusal (or any failure) in plain words; role="alert" so it is read out at once. */
export function Alert({ error, message }) {
  const text = message ?? (error ? plainWords(error) : null);
  if (!text) return null;
  return html`<div role="alert" class="alert">
    <p>${text}</p>
  </div>`;
}

const statusListeners = new Set();

/** Says something went well: shown briefly and read out by the layout's role="status" region. */
export function announce(text) {
  for (const listener of statusListeners) listener(text);
}

export function StatusRegion() {
  const [message, setMessage] = useState({ text: '', key: 0 });
  useEffect(() => {
    const listener = (text) => setMessage((previous) => ({ text, key: previous.key + 1 }));
    statusListeners.add(listener);
    return () => statusListeners.delete(listener);
  }, []);
  useEffect(() => {
    if (!message.text) return undefined;
    const timer = setTimeout(() => setMessage((previous) => ({ ...previous, text: '' })), 8000);
    return () => clearTimeout(timer);
  }, [message]);
  return html`<div role="status" class=${message.text ? 'toast toast-shown' : 'toast'}>${message.text}</div>`;
}

/**
 * A modal dialog (the browser's own <dialog>: focus stays inside, Escape closes). Focus returns to
 * whatever had it before, or to the page heading when that element is gone.
 */
export function Dialog({ title, onClose, children, role = 'dialog', describedBy }) {
  const ref = useRef(null);
  const titleId = useId();
  // A layout effect: its cleanup runs as the dialog is removed, so the focus is back on the opener
  // before the element that held it goes (a passive effect's cleanup waits for the next frame,
  // and the focus would fall to <body> meanwhile).
  useLayoutEffect(() => {
    const opener = document.activeElement;
    const dialog = ref.current;
    dialog.showModal();
    return () => {
      if (dialog.open) dialog.close();
      const target = opener instanceof HTMLElement && opener.isConnected ? opener : document.querySelector('main h1');
      target?.focus();
    };
  }, []);
  const cancel = (event) => {
    event.preventDefault();
    onClose();
  };
  return html`
    <dialog ref=${ref} class="dialog" role=${role} aria-labelledby=${titleId} aria-describedby=${describedBy} onCancel=${cancel}>
      <h2 id=${titleId}>${title}</h2>
      ${children}
    </dialog>
  `;
}

/**
 * Asks before an action: `onConfirm(reason)` runs the API call; a refusal stays in the dialog
 * (role="alert") and the dialog stays open; success closes it.
 */
export function ConfirmDialog({
  title,
  description,
  reason = false,
  reasonHint,
  confirmClass = 'button-primary',
  onConfirm,
  onClose,
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [text, setText] = useState('');
  const descriptionId = useId();
  const reasonId = useId();
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onConfirm(text.trim() === '' ? undefined : text.trim());
      onClose(true);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  return html`
    <${Dialog} title=${title} onClose=${() => onClose(false)} describedBy=${descriptionId}>
      <form onSubmit=${submit}>
        <div id=${descriptionId} class="dialog-text">${description}</div>
        ${
          reason
            ? html`<div class="field">
                <label for=${reasonId}>Reason</label>
                <textarea
                  id=${reasonId}
                  rows="3"
                  maxlength="1000"
                  value=${text}
                  onInput=${(e) => setText(e.currentTarget.value)}
                  autofocus
                ></textarea>
                ${reasonHint ? html`<p class="hint">${reasonHint}</p>` : null}
              </div>`
            : null
        }
        <${Alert} error=${error} />
        <div class="dialog-buttons">
          <button type="button" class="button" onClick=${() => onClose(false)}>Cancel</button>
          <button type="submit" class=${`button ${confirmClass}`} disabled=${busy} autofocus=${!reason}>
            ${busy ? 'Working…' : 'Confirm'}
          </button>
        </div>
      </form>
    <//>
  `;
}

/** A labelled input; extra props go to the <input>. */
export function Field({ label, hint, id, ...input }) {
  const generated = useId();
  const fieldId = id ?? generated;
  const hintId = hint ? `${fieldId}-hint` : undefined;
  return html`
    <div class="field">
      <label for=${fieldId}>${label}</label>
      <input id=${fieldId} aria-describedby=${hintId} ...${input} />
      ${hint ? html`<p class="hint" id=${hintId}>${hint}</p>` : null}
    </div>
  `;
}

export function Select({ label, value, onChange, options }) {
  const id = useId();
  return html`
    <div class="field">
      <label for=${id}>${label}</label>
      <select id=${id} value=${value} onChange=${(event) => onChange(event.currentTarget.value)}>
        ${options.map(([optionValue, text]) => html`<option value=${optionValue}>${text}</option>`)}
      </select>
    </div>
  `;
}

/** An email address that may wrap after its "@" rather than anywhere. */
export function Email({ address }) {
  const at = address.lastIndexOf('@');
  if (at <= 0) return address;
  return html`${address.slice(0, at)}<wbr />${address.slice(at)}`;
}

export function Badge({ tone = 'neutral', children }) {
  return html`<span class=${`badge badge-${tone}`}>${children}</span>`;
}

/** Keyset pages: Previous goes back through the cursors already seen, Next follows next_cursor. */
export function Pager({
  label,
  hasPrevious,
  nextCursor,
  onPrevious,
  onNext,
  previousText = 'Previous page',
  nextText = 'Next page',
}) {
  if (!hasPrevious && !nextCursor) return null;
  return html`
    <nav class="pager" aria-label=${label}>
      <button type="button" class="button" disabled=${!hasPrevious} onClick=${onPrevious}>${previousText}</button>
      <button type="button" class="button" disabled=${!nextCursor} onClick=${onNext}>${nextText}</button>
    </nav>
  `;
}

/** A value that follows `value` once it has stopped changing for `ms` (typing in search fields). */
export function useDebounced(value, ms = 250) {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function EmptyState({ title, children }) {
  return html`<div class="empty">
    <p class="empty-title">${title}</p>
    ${children ? html`<p>${children}</p>` : null}
  </div>`;
}

export function Loading({ label = 'Loading…' }) {
  return html`<p class="loading">${label}</p>`;
}
