import { MigrationInterface, QueryRunner } from 'typeorm';

/** Single-use reset and verification tokens, stored only as hashes (docs/API.md §9). */
export class AccountTokens1795720000000 implements MigrationInterface {
  name = 'AccountTokens1795720000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "account_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "purpose" character varying(16) NOT NULL, "token_hash" character(64) NOT NULL, "fingerprint" character(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_5e3640c493cc6206a44b885e6a9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_account_tokens_user_id" ON "account_tokens"  ("user_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_account_tokens_token_hash" ON "account_tokens"  ("token_hash") `);
    await queryRunner.query(
      `ALTER TABLE "account_tokens" ADD CONSTRAINT "FK_1b5fea09efc20c7f63c4a09b3d6" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "account_tokens" DROP CONSTRAINT "FK_1b5fea09efc20c7f63c4a09b3d6"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_account_tokens_token_hash"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_account_tokens_user_id"`);
    await queryRunner.query(`DROP TABLE "account_tokens"`);
  }
}
