import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the admin routes, written by hand (TypeORM cannot express expression, partial or
 * GIN indexes): trigram search over username, email and institution; keyset pages for every sort
 * order; the pending queue.
 */
export class AdminIndexes1795640000000 implements MigrationInterface {
  name = 'AdminIndexes1795640000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(`CREATE INDEX "IDX_users_username_trgm" ON "users" USING gin (lower("username") gin_trgm_ops)`);
    await queryRunner.query(`CREATE INDEX "IDX_users_email_trgm" ON "users" USING gin (lower("email") gin_trgm_ops)`);
    await queryRunner.query(
      `CREATE INDEX "IDX_users_institution_trgm" ON "users" USING gin (lower(coalesce("institution", '')) gin_trgm_ops)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_users_created_at_id" ON "users" ("created_at", "id")`);
    await queryRunner.query(`CREATE INDEX "IDX_users_username_id" ON "users" ("username", "id")`);
    await queryRunner.query(`CREATE INDEX "IDX_users_email_id" ON "users" ("email", "id")`);
    await queryRunner.query(
      `CREATE INDEX "IDX_users_pending" ON "users" ("created_at", "id") WHERE "approval_status" = 'pending'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const index of [
      'IDX_users_pending',
      'IDX_users_email_id',
      'IDX_users_username_id',
      'IDX_users_created_at_id',
      'IDX_users_institution_trgm',
      'IDX_users_email_trgm',
      'IDX_users_username_trgm',
    ]) {
      await queryRunner.query(`DROP INDEX "public"."${index}"`);
    }
  }
}
