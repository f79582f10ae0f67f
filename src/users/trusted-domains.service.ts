import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AppError } from '../common/errors/app-error';
import { RequestValidationError } from '../common/errors/request-validation.error';
import { RequestContext } from '../common/http/request-context';
import { SuperuserActionsService } from './superuser-actions.service';
import { candidateDomains, longestMatch, NOT_A_DOMAIN, trustedDomainKey } from './trusted-domain-rules';
import { TrustedDomain } from './trusted-domain.entity';
import { TrustedDomainsRepository } from './trusted-domains.repository';
import type { Actor } from './users.service';

export interface DomainMatch {
  domain: string;
  institution: string | null;
}

const notFound = () => new AppError('TRUSTED_DOMAIN_NOT_FOUND', 'Trusted domain not found');

/**
 * Trusted mail domains (docs/API.md §10 Administration): kept by superusers, consulted for the
 * pending queue and when a pending user verifies an address (automatic approval, §9). Changes run
 * under the superuser lock like every other admin write, and are audited in the same transaction.
 */
@Injectable()
export class TrustedDomainsService {
  constructor(
    private readonly domains: TrustedDomainsRepository,
    private readonly actions: SuperuserActionsService,
    private readonly audit: AuditService,
  ) {}

  list(): Promise<TrustedDomain[]> {
    return this.domains.list();
  }

  /** The trusted domain an address falls under (itself or a parent domain; the longest wins), or null. */
  async findMatch(email: string, manager?: EntityManager): Promise<DomainMatch | null> {
    return (await this.findMatches([email], manager))[0];
  }

  /** `findMatch` for many addresses in one query, answers in the order given. */
  async findMatches(emails: string[], manager?: EntityManager): Promise<Array<DomainMatch | null>> {
    const candidates = [...new Set(emails.flatMap(candidateDomains))];
    const rows = await this.domains.findAny(candidates, manager);
    const trusted = new Map(rows.map((row) => [row.domain, { domain: row.domain, institution: row.institution }]));
    return emails.map((email) => longestMatch(email, trusted));
  }

  /** Adds a domain given in any form (Unicode or ASCII, any case); 409 when it is there in any form. */
  async add(actor: Actor, domainText: string, institution: string | null, context: RequestContext): Promise<TrustedDomain> {
    const domain = trustedDomainKey(domainText);
    // The request DTO refuses non-domains already; this guards other callers.
    if (domain === null) throw new RequestValidationError([{ loc: ['body', 'domain'], msg: NOT_A_DOMAIN, type: 'value_error' }]);
    const exists = () => new AppError('TRUSTED_DOMAIN_EXISTS', 'Trusted domain already exists');
    return this.actions.locked(actor, async ({ manager, authorize }) => {
      if (await this.domains.find(manager, domain)) throw exists();
      authorize();
      const entry = await this.domains.insert(manager, { domain, institution, createdBy: actor.id });
      if (!entry) throw exists();
      await this.record(manager, 'trusted_domain_added', actor, entry, context);
      return entry;
    });
  }

  /** Removes a domain named in any form; 404 when no entry has that form (or it is no domain at all). */
  async remove(actor: Actor, domainText: string, context: RequestContext): Promise<TrustedDomain> {
    const domain = trustedDomainKey(domainText);
    if (domain === null) throw notFound();
    return this.actions.locked(actor, async ({ manager, authorize }) => {
      const entry = await this.domains.find(manager, domain);
      if (!entry) throw notFound();
      authorize();
      await this.domains.delete(manager, domain);
      await this.record(manager, 'trusted_domain_removed', actor, entry, context);
      return entry;
    });
  }

  private record(
    manager: EntityManager,
    eventType: 'trusted_domain_added' | 'trusted_domain_removed',
    actor: Actor,
    entry: TrustedDomain,
    context: RequestContext,
  ): Promise<void> {
    return this.audit.record(manager, {
      eventType,
      actor,
      target: null,
      ip: context.ip,
      userAgent: context.userAgent,
      details: entry.institution === null ? { domain: entry.domain } : { domain: entry.domain, institution: entry.institution },
    });
  }
}
