import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The admin search's three trigram indexes (username, email, institution) become one over the
 * three fields joined by U+001F (src/users/users.repository.sql.ts, SEARCH_TEXT, writes the same
 * expression). A search scans one index instead of three: at 1M users, 16 ms instead of 33 for
 * a search whose every trigram is common (bench/PROFILE.md). Each new or renamed user updates one
 * trigram index instead of three. Building it takes about 10 s at 1M users, during which the
 * starting instance (and any other waiting on the migration lock) is not yet serving.
 */
export class SearchIndex1795780000000 implements MigrationInterface {
  name = 'SearchIndex1795780000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "IDX_users_search_trgm" ON "users" USING gin ` +
        `(lower("username"::text || E'\\x1f' || "email"::text || E'\\x1f' || coalesce("institution", '')) gin_trgm_ops)`,
    );
    for (const index of ['IDX_users_username_trgm', 'IDX_users_email_trgm', 'IDX_users_institution_trgm']) {
      await queryRunner.query(`DROP INDEX "public"."${index}"`);
    }
    // An expression index has statistics of its own, which the planner needs to tell a broad
    // search from a narrow one; without them it assumes 100 rows until autovacuum analyzes.
    await queryRunner.query(`ANALYZE "users"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "IDX_users_username_trgm" ON "users" USING gin (lower("username") gin_trgm_ops)`);
    await queryRunner.query(`CREATE INDEX "IDX_users_email_trgm" ON "users" USING gin (lower("email") gin_trgm_ops)`);
    await queryRunner.query(
      `CREATE INDEX "IDX_users_institution_trgm" ON "users" USING gin (lower(coalesce("institution", '')) gin_trgm_ops)`,
    );
    await queryRunner.query(`DROP INDEX "public"."IDX_users_search_trgm"`);
  }
}
