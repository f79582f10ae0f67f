// Templates are htm tagged literals rendered by Preact: html`<p class="x">${text}</p>`.
// Values are always escaped; there is no way to inject markup from API data.
import { h, render } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
export { render };
