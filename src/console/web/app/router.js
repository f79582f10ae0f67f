// Addresses are real paths under /console/ (the server answers every one with index.html), so
// links can be opened, bookmarked and reloaded; filters live in the query string.
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/console';

// Counts navigations: following a link to the page already shown loads it again (fresh data).
let visit = 0;

function current() {
  return {
    path: window.location.pathname.replace(/\/+$/, '') || BASE,
    query: new URLSearchParams(window.location.search),
    visit,
  };
}

/** Goes to `to`; `soft` only records filters in the address (the page stays as it is). */
export function navigate(to, { replace = false, soft = false } = {}) {
  if (!soft) visit += 1;
  if (replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new CustomEvent('gatehouse:navigate'));
}

/** Replaces the query string of the current address (filters), without a new history entry. */
export function setQuery(values) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
  }
  const search = query.toString();
  navigate(`${window.location.pathname}${search ? `?${search}` : ''}`, { replace: true, soft: true });
}

export function useLocation() {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    const popped = () => {
      visit += 1;
      update();
    };
    window.addEventListener('popstate', popped);
    window.addEventListener('gatehouse:navigate', update);
    // A child may have navigated before this effect ran (children's effects run first).
    update();
    return () => {
      window.removeEventListener('popstate', popped);
      window.removeEventListener('gatehouse:navigate', update);
    };
  }, []);
  return location;
}

/** Same-origin console links move without reloading the page (new tabs and modified clicks excepted). */
export function interceptLinks() {
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
    if (!link || link.target || link.hasAttribute('download')) return;
    const href = link.getAttribute('href');
    if (!href || !href.startsWith(`${BASE}/`)) return;
    event.preventDefault();
    navigate(href);
  });
}
