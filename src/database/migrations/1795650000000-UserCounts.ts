import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Exact user counts kept by triggers, so that /admin/stats (and the unfiltered admin list) read one
 * row instead of counting every user: at a million users a full count costs over 100 ms. Only
 * changes of the counted columns touch the row, so logins and lockout counters never wait on it.
 */
export class UserCounts1795650000000 implements MigrationInterface {
  name = 'UserCounts1795650000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "user_counts" (
        "id" smallint PRIMARY KEY DEFAULT 1 CHECK ("id" = 1),
        "total" bigint NOT NULL, "active" bigint NOT NULL, "superusers" bigint NOT NULL,
        "pending" bigint NOT NULL, "rejected" bigint NOT NULL)`);
    await queryRunner.query(`INSERT INTO "user_counts"
        SELECT 1, count(*), count(*) FILTER (WHERE is_active), count(*) FILTER (WHERE is_superuser),
               count(*) FILTER (WHERE approval_status = 'pending'), count(*) FILTER (WHERE approval_status = 'rejected')
          FROM "users"`);
    await queryRunner.query(`CREATE FUNCTION user_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
          d_total int := 0; d_active int := 0; d_superusers int := 0; d_pending int := 0; d_rejected int := 0;
        BEGIN
          IF TG_OP IN ('INSERT', 'UPDATE') THEN
            d_total := d_total + 1;
            d_active := d_active + NEW.is_active::int;
            d_superusers := d_superusers + NEW.is_superuser::int;
            d_pending := d_pending + (NEW.approval_status = 'pending')::int;
            d_rejected := d_rejected + (NEW.approval_status = 'rejected')::int;
          END IF;
          IF TG_OP IN ('DELETE', 'UPDATE') THEN
            d_total := d_total - 1;
            d_active := d_active - OLD.is_active::int;
            d_superusers := d_superusers - OLD.is_superuser::int;
            d_pending := d_pending - (OLD.approval_status = 'pending')::int;
            d_rejected := d_rejected - (OLD.approval_status = 'rejected')::int;
          END IF;
          IF d_total <> 0 OR d_active <> 0 OR d_superusers <> 0 OR d_pending <> 0 OR d_rejected <> 0 THEN
            UPDATE "user_counts" SET total = total + d_total, active = active + d_active,
                   superusers = superusers + d_superusers, pending = pending + d_pending, rejected = rejected + d_rejected
             WHERE id = 1;
          END IF;
          RETURN NULL;
        END $$`);
    await queryRunner.query(`CREATE TRIGGER "TRG_users_counts" AFTER INSERT OR DELETE OR UPDATE OF is_active, is_superuser, approval_status
        ON "users" FOR EACH ROW EXECUTE FUNCTION user_counts_apply()`);
    await queryRunner.query(`CREATE FUNCTION user_counts_reset() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE "user_counts" SET total = 0, active = 0, superusers = 0, pending = 0, rejected = 0 WHERE id = 1;
          RETURN NULL;
        END $$`);
    await queryRunner.query(`CREATE TRIGGER "TRG_users_counts_truncate" AFTER TRUNCATE ON "users"
        FOR EACH STATEMENT EXECUTE FUNCTION user_counts_reset()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "TRG_users_counts_truncate" ON "users"`);
    await queryRunner.query(`DROP FUNCTION user_counts_reset()`);
    await queryRunner.query(`DROP TRIGGER "TRG_users_counts" ON "users"`);
    await queryRunner.query(`DROP FUNCTION user_counts_apply()`);
    await queryRunner.query(`DROP TABLE "user_counts"`);
  }
}
