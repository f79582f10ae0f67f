import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { TrustedDomain } from './trusted-domain.entity';

/** Every query on the trusted_domains table (migrations aside). Domains are given in their stored form. */
@Injectable()
export class TrustedDomainsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every entry, in domain order (the table is short: one row per partner institution). */
  list(): Promise<TrustedDomain[]> {
    return this.dataSource.manager.find(TrustedDomain, { order: { domain: 'ASC' } });
  }

  find(manager: EntityManager, domain: string): Promise<TrustedDomain | null> {
    return manager.findOneBy(TrustedDomain, { domain });
  }

  /** The entries among these domains (one indexed look-up for any number of addresses). */
  findAny(domains: string[], manager?: EntityManager): Promise<Array<Pick<TrustedDomain, 'domain' | 'institution'>>> {
    if (domains.length === 0) return Promise.resolve([]);
    return (manager ?? this.dataSource).query(
      'SELECT domain, institution FROM trusted_domains WHERE domain = ANY($1::varchar[])',
      [domains],
    );
  }

  /** The new entry, or null when the domain is there already. */
  async insert(
    manager: EntityManager,
    entry: Pick<TrustedDomain, 'domain' | 'institution' | 'createdBy'>,
  ): Promise<TrustedDomain | null> {
    const rows: Array<{ domain: string }> = await manager.query(
      `INSERT INTO trusted_domains (domain, institution, created_by) VALUES ($1, $2, $3)
       ON CONFLICT (domain) DO NOTHING
       RETURNING domain`,
      [entry.domain, entry.institution, entry.createdBy],
    );
    return rows.length === 0 ? null : manager.findOneByOrFail(TrustedDomain, { domain: entry.domain });
  }

  /** True when the entry existed. */
  async delete(manager: EntityManager, domain: string): Promise<boolean> {
    const result = await manager.delete(TrustedDomain, { domain });
    return (result.affected ?? 0) > 0;
  }
}
