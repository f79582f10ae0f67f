// The console's entry: who is signed in, which page the address names, and the frame around it
// (header, navigation with the waiting count, status messages, idle warning). docs/API.md §15.
import { useEffect, useState } from 'preact/hooks';
import { html, render } from './html.js';
import { api, endSession, getToken, rememberReturn, takeReturn } from './api.js';
import { BASE, interceptLinks, navigate, useLocation } from './router.js';
import { IdleWarning } from './idle-warning.js';
import { StatusRegion } from './ui.js';
import { SignIn, ForgotPassword, Register } from './pages/sign-in.js';
import { ResetPassword, Verify } from './pages/token-pages.js';
import { Account } from './pages/account.js';
import { Approvals } from './pages/approvals.js';
import { Users } from './pages/users.js';
import { UserPage } from './pages/user.js';
import { TrustedDomains } from './pages/trusted-domains.js';
import { Audit } from './pages/audit.js';
import { NotFound } from './pages/not-found.js';

/** Pages anyone may open, signed in or not. */
const PUBLIC = {
  [`${BASE}/sign-in`]: SignIn,
  [`${BASE}/forgot-password`]: ForgotPassword,
  [`${BASE}/register`]: Register,
  [`${BASE}/reset-password`]: ResetPassword,
  [`${BASE}/verify`]: Verify,
};

/** Pages of a signed-in user; `admin` ones only for superusers (the API refuses the rest anyway). */
const PRIVATE = [
  { pattern: /^\/console\/account$/, view: Account },
  { pattern: /^\/console\/approvals$/, view: Approvals, admin: true },
  { pattern: /^\/console\/users$/, view: Users, admin: true },
  { pattern: /^\/console\/users\/([^/]+)$/, view: UserPage, admin: true },
  { pattern: /^\/console\/trusted-domains$/, view: TrustedDomains, admin: true },
  { pattern: /^\/console\/audit$/, view: Audit, admin: true },
];

const NAV = [
  { href: `${BASE}/approvals`, text: 'Approvals', admin: true },
  { href: `${BASE}/users`, text: 'Users', admin: true },
  { href: `${BASE}/trusted-domains`, text: 'Trusted domains', admin: true },
  { href: `${BASE}/audit`, text: 'Audit', admin: true },
  { href: `${BASE}/account`, text: 'Account' },
];

/** Moves to another address once rendered (never during a render). */
function Redirect({ to }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

const homeOf = (me) => (me.is_superuser ? `${BASE}/approvals` : `${BASE}/account`);

/** The number of people waiting, refreshed on every page change and after each decision. */
function usePendingCount(me, visit) {
  const [count, setCount] = useState(null);
  useEffect(() => {
    if (!me?.is_superuser) return undefined;
    let live = true;
    const refresh = () =>
      api('GET', '/admin/stats')
        .then((stats) => live && setCount(stats.pending_approvals))
        .catch(() => undefined);
    refresh();
    window.addEventListener('gatehouse:queue-changed', refresh);
    return () => {
      live = false;
      window.removeEventListener('gatehouse:queue-changed', refresh);
    };
  }, [me, visit]);
  return count;
}

function Header({ me, path, pending }) {
  const signOut = () => {
    api('POST', '/jwt/logout')
      .catch(() => undefined)
      .finally(() => endSession('You have signed out.', { alert: false }));
  };
  return html`
    <header class="site-header">
      <div class="site-header-inner">
        <a class="brand" href=${homeOf(me)}>
          <img src="/console/assets/gatehouse.svg" alt="" width="28" height="28" />
          <span>Gatehouse</span>
        </a>
        <nav class="site-nav" aria-label="Main">
          <ul>
            ${NAV.filter((item) => !item.admin || me.is_superuser).map((item) => {
              const current = path === item.href || path.startsWith(`${item.href}/`);
              const counted = item.text === 'Approvals' && pending !== null;
              return html`<li>
                <a
                  href=${item.href}
                  aria-current=${current ? 'page' : undefined}
                  aria-describedby=${counted ? 'pending-count' : undefined}
                  >${item.text}</a
                >${
                  counted
                    ? html`<span id="pending-count" class=${pending > 0 ? 'count count-waiting' : 'count'}
                        >${pending}<span class="visually-hidden"> waiting</span></span
                      >`
                    : null
                }
              </li>`;
            })}
          </ul>
        </nav>
        <div class="who">
          <span class="who-name"><span class="visually-hidden">Signed in as </span>${me.username}</span>
          <button type="button" class="button button-quiet" onClick=${signOut}>Sign out</button>
        </div>
      </div>
    </header>
  `;
}

function Frame({ me, path, visit, idleMinutes, children }) {
  const pending = usePendingCount(me, visit);
  return html`
    <a class="skip-link" href="#main">Skip to main content</a>
    <${Header} me=${me} path=${path} pending=${pending} />
    <main id="main">${children}</main>
    <${StatusRegion} />
    <${IdleWarning} idleMinutes=${idleMinutes} />
  `;
}

function PublicFrame({ children }) {
  return html`
    <a class="skip-link" href="#main">Skip to main content</a>
    <main id="main" class="public">
      <div class="public-brand">
        <img src="/console/assets/gatehouse.svg" alt="" width="36" height="36" /><span>Gatehouse</span>
      </div>
      ${children}
    </main>
  `;
}

function App() {
  const location = useLocation();
  // undefined: not known yet; null: signed out; else GET /whoami's answer.
  const [me, setMe] = useState(getToken() ? undefined : null);
  const [idleMinutes, setIdleMinutes] = useState(null);

  useEffect(() => {
    const signedOut = () => {
      setMe(null);
      navigate(`${BASE}/sign-in`);
    };
    window.addEventListener('gatehouse:signed-out', signedOut);
    api('GET', '/config')
      .then((config) => setIdleMinutes(config.inactivity_threshold_minutes))
      .catch(() => undefined);
    if (getToken()) {
      api('GET', '/whoami')
        .then(setMe)
        .catch(() => setMe(null));
    }
    return () => window.removeEventListener('gatehouse:signed-out', signedOut);
  }, []);

  // Who is signed in, asked again at each navigation: rights taken away show at once (the
  // navigation follows), and an ended session (deactivated, revoked) returns to sign-in.
  const signedInNow = Boolean(me);
  useEffect(() => {
    if (!signedInNow) return;
    api('GET', '/whoami')
      .then((fresh) => setMe((old) => (old && old.id === fresh.id && old.is_superuser === fresh.is_superuser ? old : fresh)))
      .catch(() => undefined);
  }, [location.path, location.visit, signedInNow]);

  // Move focus to the new page's heading after a navigation (not on the first load).
  const [first, setFirst] = useState(true);
  useEffect(() => {
    if (first) {
      setFirst(false);
      return;
    }
    document.querySelector('main h1')?.focus();
  }, [location.path, location.visit]);

  const signedIn = (user) => {
    setMe(user);
    const back = takeReturn();
    navigate(back && (user.is_superuser || back.startsWith(`${BASE}/account`)) ? back : homeOf(user), { replace: true });
  };

  const Public = PUBLIC[location.path];
  if (Public) {
    if (Public === SignIn && me) return html`<${Redirect} to=${homeOf(me)} />`;
    return html`<${PublicFrame}><${Public} query=${location.query} onSignedIn=${signedIn} /><//>`;
  }
  if (me === undefined) return html`<p class="loading">Loading…</p>`;
  if (me === null) {
    if (location.path !== BASE) rememberReturn(`${location.path}${window.location.search}`);
    return html`<${Redirect} to=${`${BASE}/sign-in`} />`;
  }
  if (location.path === BASE) return html`<${Redirect} to=${homeOf(me)} />`;
  const route = PRIVATE.find((candidate) => candidate.pattern.test(location.path));
  const allowed = route && (!route.admin || me.is_superuser);
  const params = route ? route.pattern.exec(location.path).slice(1) : [];
  const View = allowed ? route.view : NotFound;
  return html`
    <${Frame} me=${me} path=${location.path} visit=${location.visit} idleMinutes=${idleMinutes}>
      <${View} me=${me} query=${location.query} params=${params} key=${`${location.path}#${location.visit}`} />
    <//>
  `;
}

interceptLinks();
const root = document.getElementById('app');
root.replaceChildren();
render(html`<${App} />`, root);
