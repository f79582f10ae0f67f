import { Check, Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A mail domain whose addresses, once verified, are approved without waiting for a superuser
 * (docs/API.md §9 Password reset and email verification, §10 Administration). The domain is kept
 * in its lowercase ASCII (IDNA) form, so `bücher.de` and `XN--BCHER-KVA.DE` are one key.
 */
@Entity({ name: 'trusted_domains' })
@Check('CHK_trusted_domains_ascii', `"domain" ~ '^[a-z0-9.-]+$'`)
export class TrustedDomain {
  @PrimaryColumn({ type: 'varchar', length: 253 })
  domain: string;

  /** Informative only. */
  @Column({ type: 'varchar', length: 300, nullable: true })
  institution: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** The superuser who added it (no foreign key: the entry outlives its author, as audit rows do). */
  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;
}
