// Trusted domains (docs/API.md §9, §10): people who verify an address at one of these domains (or a
// subdomain) are approved without waiting. List, add, remove.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { formatDate } from '../format.js';
import { Alert, announce, EmptyState, Field, Loading, Page } from '../ui.js';

export function TrustedDomains() {
  const [domains, setDomains] = useState(null);
  const [error, setError] = useState(null);
  const [domain, setDomain] = useState('');
  const [institution, setInstitution] = useState('');
  const [busy, setBusy] = useState(false);
  const [addError, setAddError] = useState(null);

  const load = () =>
    api('GET', '/admin/trusted-domains')
      .then((answer) => setDomains(answer.domains))
      .catch(setError);
  useEffect(() => {
    load();
  }, []);

  const add = async (event) => {
    event.preventDefault();
    setBusy(true);
    setAddError(null);
    try {
      const body = { domain: domain.trim() };
      if (institution.trim()) body.institution = institution.trim();
      const entry = await api('POST', '/admin/trusted-domains', { body });
      announce(`${entry.domain} is now trusted.`);
      setDomain('');
      setInstitution('');
      await load();
    } catch (failure) {
      setAddError(failure);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (entry, index) => {
    setError(null);
    try {
      await api('DELETE', `/admin/trusted-domains/${encodeURIComponent(entry.domain)}`);
      announce(`${entry.domain} is no longer trusted.`);
      await load();
      setTimeout(() => {
        const buttons = document.querySelectorAll('#domains tbody button');
        (buttons[Math.min(index, buttons.length - 1)] ?? document.getElementById('domain-field'))?.focus();
      }, 0);
    } catch (failure) {
      setError(failure);
    }
  };

  return html`
    <${Page}
      title="Trusted domains"
      lead="People who verify an email address at one of these domains, or at a subdomain, are approved at once. Everyone else waits in Approvals."
    >
      <section class="panel">
        <h2 id="add-domain-title">Add a domain</h2>
        <form class="inline-form" onSubmit=${add}>
          <${Field}
            id="domain-field"
            label="Domain"
            required
            placeholder="uni-example.edu"
            autocapitalize="none"
            spellcheck="false"
            value=${domain}
            onInput=${(e) => setDomain(e.currentTarget.value)}
          />
          <${Field}
            label="Institution"
            placeholder="Optional"
            value=${institution}
            onInput=${(e) => setInstitution(e.currentTarget.value)}
          />
          <button type="submit" class="button button-primary" disabled=${busy}>Add domain</button>
        </form>
        <${Alert} error=${addError} />
      </section>
      <${Alert} error=${error} />
      ${
        domains === null
          ? error
            ? null
            : html`<${Loading} label="Loading domains…" />`
          : domains.length === 0
            ? html`<${EmptyState} title="No trusted domains">Every registration waits for a decision in Approvals.<//>`
            : html`
                <div class="table-wrap">
                  <table id="domains" class="table cards">
                    <caption class="visually-hidden">
                      Trusted domains
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col">Domain</th>
                        <th scope="col">Institution</th>
                        <th scope="col">Added</th>
                        <th scope="col"><span class="visually-hidden">Remove</span></th>
                      </tr>
                    </thead>
                    <tbody>
                      ${domains.map(
                        (entry, index) => html`
                          <tr key=${entry.domain}>
                            <th scope="row" data-label="Domain" id=${`domain-${index}`} class="cell-strong">${entry.domain}</th>
                            <td data-label="Institution">${entry.institution || html`<span class="muted">—</span>`}</td>
                            <td data-label="Added"><time datetime=${entry.created_at}>${formatDate(entry.created_at)}</time></td>
                            <td class="cell-actions">
                              <button
                                type="button"
                                class="button button-small"
                                aria-describedby=${`domain-${index}`}
                                onClick=${() => remove(entry, index)}
                              >
                                Remove
                              </button>
                            </td>
                          </tr>
                        `,
                      )}
                    </tbody>
                  </table>
                </div>
              `
      }
    <//>
  `;
}
