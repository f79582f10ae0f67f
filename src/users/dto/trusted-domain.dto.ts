/** A trusted mail domain (docs/API.md §10 Administration). */
export class TrustedDomainDto {
  /** Lowercase ASCII (IDNA) form. @example "xn--bcher-kva.de" */
  domain: string;
  /** Informative. @example "University of Somewhere" */
  institution: string | null;
  /** @example "2026-01-02T09:30:00.000Z" */
  created_at: string;
  /** The superuser who added it. @example "0b4c5d6e-1f20-4a3b-8c4d-5e6f7a8b9c0d" */
  created_by: string | null;
}
