import { isIP } from 'node:net';
import { asciiDomain, emailKey } from './identity';

/**
 * Trusted domains (docs/API.md §10 Administration): what counts as a domain name, its stored form
 * (lowercase ASCII, IDNA), and which domains an address falls under.
 */

export const DOMAIN_MAX_LENGTH = 253;

/** The 422 message for a value that is not a domain name. */
export const NOT_A_DOMAIN = 'value is not a domain name such as example.org (no scheme, path, port, wildcard or IP address)';

/**
 * What a domain may be written with before conversion: letters (any script, full-width ones
 * included), combining marks, digits, dots and hyphens. Everything else — a scheme, a path, a
 * port, `@`, `*`, `_`, spaces, percent escapes, invisible characters — is refused here, before the
 * IDNA conversion could silently drop or decode it (it strips `/path` and `%41`, ignores U+200B).
 */
const DOMAIN_CHARACTERS = /^[\p{L}\p{M}\p{N}.-]+$/u;
/** One ASCII label: 1 to 63 letters, digits or hyphens, not starting or ending with a hyphen. */
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * The stored form of a domain name, or null when the text is not one: at least two labels (no
 * single label such as `localhost`), no IP address (a numeric last label is never a top-level
 * domain), no wildcard, scheme or path, at most 253 characters in ASCII form.
 */
export function trustedDomainKey(text: string): string | null {
  if (text.length === 0 || text.length > DOMAIN_MAX_LENGTH || !DOMAIN_CHARACTERS.test(text) || isIP(text) !== 0) return null;
  const ascii = asciiDomain(text);
  if (ascii === '' || ascii.length > DOMAIN_MAX_LENGTH || isIP(ascii) !== 0) return null;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return null;
  if (/^\d+$/.test(labels[labels.length - 1])) return null;
  return ascii;
}

/**
 * The domains an address falls under, most specific first: `a@x.lab.example.org` gives
 * `x.lab.example.org`, `lab.example.org`, `example.org` (single labels are never trusted domains).
 */
export function candidateDomains(email: string): string[] {
  const key = emailKey(email);
  if (key === null) return [];
  const labels = key.slice(key.lastIndexOf('@') + 1).split('.');
  const candidates: string[] = [];
  for (let start = 0; start <= labels.length - 2; start += 1) candidates.push(labels.slice(start).join('.'));
  return candidates;
}

/** The trusted domain an address falls under, the longest (most specific) one when several do. */
export function longestMatch<T>(email: string, trusted: ReadonlyMap<string, T>): T | null {
  for (const candidate of candidateDomains(email)) {
    const entry = trusted.get(candidate);
    if (entry !== undefined) return entry;
  }
  return null;
}
