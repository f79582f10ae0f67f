import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Trusted mail domains (docs/API.md §10 Administration): kept in lowercase ASCII (IDNA) form, which
 * the check constraint holds the table to whatever writes it.
 */
export class TrustedDomains1795725000000 implements MigrationInterface {
  name = 'TrustedDomains1795725000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "trusted_domains" ("domain" character varying(253) NOT NULL, "institution" character varying(300), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "created_by" uuid, CONSTRAINT "CHK_trusted_domains_ascii" CHECK ("domain" ~ '^[a-z0-9.-]+$'), CONSTRAINT "PK_93e935b1c088c41536a80d2127f" PRIMARY KEY ("domain"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "trusted_domains"`);
  }
}
