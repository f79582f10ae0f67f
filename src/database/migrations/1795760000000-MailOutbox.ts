import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The mail outbox (docs/API.md §13 Mail): one row per mail, written in the transaction of the
 * change it reports. The delivery jobs live in the job queue's own schema (`graphile_worker`),
 * which the queue creates and migrates itself at start (src/mail/job-queue.ts).
 */
export class MailOutbox1795760000000 implements MigrationInterface {
  name = 'MailOutbox1795760000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "mail_outbox" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" character varying(64) NOT NULL, "recipient" character varying(320) NOT NULL, "subject" text NOT NULL, "text_body" text, "html_body" text, "message_id" character varying(255) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "last_error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "sent_at" TIMESTAMP WITH TIME ZONE, "failed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_mail_outbox_status" CHECK ("status" IN ('pending', 'sent', 'failed')), CONSTRAINT "PK_fecc63c96385bc35a39ccf2a72e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_mail_outbox_message_id" ON "mail_outbox" ("message_id")`);
    await queryRunner.query(`CREATE INDEX "IDX_mail_outbox_kind_created_at" ON "mail_outbox" ("kind", "created_at")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_mail_outbox_kind_created_at"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_mail_outbox_message_id"`);
    await queryRunner.query(`DROP TABLE "mail_outbox"`);
  }
}
