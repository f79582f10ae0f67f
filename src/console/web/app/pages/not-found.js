import { html } from '../html.js';
import { BASE } from '../router.js';
import { Page } from '../ui.js';

export function NotFound({ me }) {
  return html`
    <${Page} title="Page not found">
      <div class="panel">
        <p>There is no such page${me?.is_superuser ? '' : ' for your account'}.</p>
        <p><a href=${me?.is_superuser ? `${BASE}/approvals` : `${BASE}/account`}>Go to the start page</a></p>
      </div>
    <//>
  `;
}
