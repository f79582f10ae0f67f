import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which pending registrations a superusers' digest has listed (docs/API.md §13 Mail). Those
 * waiting before this migration count as listed: the first digest is about what comes after.
 */
export class AdminDigest1795770000000 implements MigrationInterface {
  name = 'AdminDigest1795770000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "admin_notified_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`UPDATE "users" SET "admin_notified_at" = now() WHERE "approval_status" = 'pending'`);
    await queryRunner.query(
      `CREATE INDEX "IDX_users_digest" ON "users" ("created_at", "id") WHERE "approval_status" = 'pending' AND "admin_notified_at" IS NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_users_digest"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "admin_notified_at"`);
  }
}
