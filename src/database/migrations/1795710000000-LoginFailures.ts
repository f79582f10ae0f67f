import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lockout counted per (account, client address) and per account (docs/API.md §11 Rate limits and
 * lockout): one address can lock an account only for itself; the account-wide count runs in a
 * window that starts at its first failure.
 */
export class LoginFailures1795710000000 implements MigrationInterface {
  name = 'LoginFailures1795710000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "login_failures" ("user_id" uuid NOT NULL, "address" character varying(64) NOT NULL, "failures" integer NOT NULL, "last_failure_at" TIMESTAMP WITH TIME ZONE NOT NULL, "locked_until" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_b112b1e14e9cc8485aacfa660fd" PRIMARY KEY ("user_id", "address"))`,
    );
    await queryRunner.query(`ALTER TABLE "users" ADD "failure_window_started_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `ALTER TABLE "login_failures" ADD CONSTRAINT "FK_df73f204feb9d7bd5e45f460634" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // Locks that were counted without an address become account-wide windows that start now.
    await queryRunner.query(`UPDATE "users" SET "failure_window_started_at" = now() WHERE "failed_login_count" > 0`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "login_failures" DROP CONSTRAINT "FK_df73f204feb9d7bd5e45f460634"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "failure_window_started_at"`);
    await queryRunner.query(`DROP TABLE "login_failures"`);
  }
}
