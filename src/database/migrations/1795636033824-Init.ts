import { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795636033824 implements MigrationInterface {
  name = 'Init1795636033824';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_events" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "event_type" character varying(64) NOT NULL, "actor_id" uuid, "actor_username" character varying(150), "target_id" uuid, "target_username" character varying(150), "ip" character varying(64), "user_agent" character varying(512), "details" jsonb NOT NULL, CONSTRAINT "PK_910f64d901a5c3e9878f0d4a407" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_audit_events_event_type" ON "audit_events"  ("event_type") `);
    await queryRunner.query(`CREATE INDEX "IDX_audit_events_actor_id" ON "audit_events"  ("actor_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_audit_events_target_id" ON "audit_events"  ("target_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_audit_events_at_id" ON "audit_events"  ("at", "id") `);
    await queryRunner.query(
      `CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" character varying(320) NOT NULL, "username" character varying(150) NOT NULL, "hashed_password" text NOT NULL, "is_active" boolean NOT NULL DEFAULT false, "is_superuser" boolean NOT NULL DEFAULT false, "is_verified" boolean NOT NULL DEFAULT true, "is_approved" boolean NOT NULL DEFAULT false, "approval_status" character varying(16) NOT NULL DEFAULT 'pending', "approval_note" text, "institution" text, "approved_by" uuid, "approved_at" TIMESTAMP WITH TIME ZONE, "rejection_reason" text, "failed_login_count" integer NOT NULL DEFAULT '0', "locked_until" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_users_approval_status" CHECK ("approval_status" IN ('pending', 'approved', 'rejected')), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_reason" character varying(32), "ip" character varying(64), "user_agent" character varying(512), CONSTRAINT "PK_3238ef96f18b355b671619111bc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_sessions_user_id" ON "sessions"  ("user_id") `);
    await queryRunner.query(
      `ALTER TABLE "sessions" ADD CONSTRAINT "FK_085d540d9f418cfbdc7bd55bb19" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // Written by hand (TypeORM cannot express these): case-insensitive uniqueness, and an
    // audit table that refuses UPDATE and DELETE.
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_users_email_lower" ON "users" (lower("email"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_users_username_lower" ON "users" (lower("username"))`);
    await queryRunner.query(`CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$`);
    await queryRunner.query(`CREATE TRIGGER "TRG_audit_events_append_only" BEFORE UPDATE OR DELETE ON "audit_events"
            FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "TRG_audit_events_append_only" ON "audit_events"`);
    await queryRunner.query(`DROP FUNCTION audit_events_append_only()`);
    await queryRunner.query(`DROP INDEX "public"."UQ_users_username_lower"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_users_email_lower"`);
    await queryRunner.query(`ALTER TABLE "sessions" DROP CONSTRAINT "FK_085d540d9f418cfbdc7bd55bb19"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_sessions_user_id"`);
    await queryRunner.query(`DROP TABLE "sessions"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_events_at_id"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_events_target_id"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_events_actor_id"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_events_event_type"`);
    await queryRunner.query(`DROP TABLE "audit_events"`);
  }
}
