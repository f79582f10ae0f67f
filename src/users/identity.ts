import { domainToASCII, domainToUnicode } from 'node:url';

/**
 * Identity rules (docs/API.md §3 Identity rules): what a username or an email may contain, and
 * the keys under which two of them are "the same". Keys are compared, never shown; usernames are
 * stored in NFKC, emails as given.
 */

export const USERNAME_MAX_LENGTH = 150;

/**
 * Never part of a username: control, format, unassigned, private-use and surrogate code points,
 * whitespace and separators, and the default-ignorable characters (U+034F, U+200B, U+FE0F, U+3164,
 * U+115F…) that render as nothing and would let two names look alike.
 */
const USERNAME_FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}\p{Z}\p{White_Space}\p{Default_Ignorable_Code_Point}]/u;
/** A name needs at least one letter or digit: symbols or blank-looking characters alone (U+2800) are not a name. */
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
/** Never part of an email address: control, format and whitespace characters (U+200B, U+202E…). */
const EMAIL_FORBIDDEN = /[\p{Cc}\p{Cf}\p{Z}\p{White_Space}\p{Default_Ignorable_Code_Point}]/u;

/** Full case folding as far as JavaScript offers it: 'ß' and 'SS' fold alike, as do 'ſ' and 's'. */
function fold(text: string): string {
  return text.toUpperCase().toLowerCase().normalize('NFKC');
}

/** The stored form of a username. */
export function normaliseUsername(username: string): string {
  return username.normalize('NFKC');
}

/** Why a username cannot be used, or null. Judged on the NFKC form (what is stored). */
export function usernameProblem(username: string): string | null {
  const normalised = normaliseUsername(username);
  if (normalised.length === 0) return 'username must not be empty';
  if ([...normalised].length > USERNAME_MAX_LENGTH) return `username must be at most ${USERNAME_MAX_LENGTH} characters`;
  if (USERNAME_FORBIDDEN.test(normalised)) {
    return 'username must not contain spaces, control, format or invisible characters';
  }
  if (!LETTER_OR_DIGIT.test(normalised)) return 'username must contain a letter or a digit';
  return null;
}

/** Why an email address cannot be used (beyond its shape, checked by the DTO), or null. */
export function emailProblem(email: string): string | null {
  if (EMAIL_FORBIDDEN.test(email)) return 'email must not contain control, format or whitespace characters';
  if (emailKey(email) === null) return 'value is not a valid email address';
  return null;
}

/**
 * A domain in lowercase ASCII (IDNA) form, or '' when it has none. A label already in ACE form
 * (`xn--…`) must decode and encode back to itself: Node 20's domainToASCII refuses broken
 * punycode such as `xn--zz`, Node 24's passes it through, and both must answer alike.
 */
export function asciiDomain(domain: string): string {
  const ascii = domainToASCII(domain.normalize('NFC'));
  const decodable = (label: string) => {
    if (!label.startsWith('xn--')) return true;
    const unicode = domainToUnicode(label);
    return unicode !== '' && unicode !== label && domainToASCII(unicode) === label;
  };
  return ascii.split('.').every(decodable) ? ascii : '';
}

/**
 * The comparison key of an email: the local part in NFC, case-folded; the domain in its lowercase
 * ASCII (IDNA) form, so `i@bücher.de` and `i@xn--bcher-kva.de` are one address. Null when the
 * domain has no ASCII form.
 */
export function emailKey(email: string): string | null {
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1) return null;
  const local = fold(email.slice(0, at).normalize('NFC')).normalize('NFC');
  const domain = asciiDomain(email.slice(at + 1));
  if (domain === '') return null;
  return `${local}@${domain}`;
}

/**
 * The comparison key of a username: NFKC, case-folded. A username that has the shape of an email
 * is keyed as an email, so that it can never stand beside the account that owns that address.
 */
export function usernameKey(username: string): string {
  const folded = fold(normaliseUsername(username));
  return folded.includes('@') ? (emailKey(folded) ?? folded) : folded;
}

/** The keys a login identifier (a username or an email) may match. */
export function loginKeys(identifier: string): { username: string; email: string | null } {
  return { username: usernameKey(identifier), email: identifier.includes('@') ? emailKey(identifier) : null };
}
