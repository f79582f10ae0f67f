import { domainToASCII } from 'node:url';
import { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * The key functions as they were when this migration was written (docs/API.md §3 Identity
 * rules). A migration is a snapshot: it must keep computing what it computed, whatever the app's
 * own functions (src/users/identity.ts) become.
 */
const fold = (text: string) => text.toUpperCase().toLowerCase().normalize('NFKC');

function emailKey(email: string): string | null {
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1) return null;
  const domain = domainToASCII(email.slice(at + 1).normalize('NFC'));
  return domain === '' ? null : `${fold(email.slice(0, at).normalize('NFC')).normalize('NFC')}@${domain}`;
}

function usernameKey(username: string): string {
  const folded = fold(username.normalize('NFKC'));
  return folded.includes('@') ? (emailKey(folded) ?? folded) : folded;
}

const BATCH = 2000;

/**
 * One namespace for usernames and emails, enforced by the database: every account's username key
 * and email key are rows of `user_identifiers`, whose primary key refuses a second account with
 * the same key — also when two registrations race. Existing accounts get their keys; where two
 * accounts now collide (a look-alike username, an address in another Unicode form), the older
 * keeps the key, the newer gets a key that names its id (it can still sign in by its other
 * identifier), and each collision is reported as an `identity_collision` audit event and a log
 * line — accounts are never merged.
 */
export class IdentityKeys1795700000000 implements MigrationInterface {
  name = 'IdentityKeys1795700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "username_key" text`);
    await queryRunner.query(`ALTER TABLE "users" ADD "email_key" text`);
    await this.computeKeys(queryRunner);
    await this.separateCollisions(queryRunner);
    await queryRunner.query(`ALTER TABLE "users" ALTER COLUMN "username_key" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "users" ALTER COLUMN "email_key" SET NOT NULL`);
    await queryRunner.query(`DROP INDEX "public"."UQ_users_email_lower"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_users_username_lower"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_users_username_key" ON "users" ("username_key") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_users_email_key" ON "users" ("email_key") `);

    await queryRunner.query(`CREATE TABLE "user_identifiers" (
        "key" text NOT NULL,
        "user_id" uuid NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
        CONSTRAINT "PK_user_identifiers" PRIMARY KEY ("key"))`);
    await queryRunner.query(`CREATE INDEX "IDX_user_identifiers_user_id" ON "user_identifiers" ("user_id")`);
    await queryRunner.query(`INSERT INTO "user_identifiers" ("key", "user_id")
        SELECT "username_key", "id" FROM "users"
        UNION SELECT "email_key", "id" FROM "users"`);

    // Raw SQL that sets no keys (an operator's INSERT, a bulk seed) still gets usable ones.
    await queryRunner.query(`CREATE FUNCTION users_identity_keys_default() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.username_key IS NULL OR (TG_OP = 'UPDATE' AND NEW.username IS DISTINCT FROM OLD.username
                                          AND NEW.username_key IS NOT DISTINCT FROM OLD.username_key) THEN
            NEW.username_key := lower(NEW.username);
          END IF;
          IF NEW.email_key IS NULL OR (TG_OP = 'UPDATE' AND NEW.email IS DISTINCT FROM OLD.email
                                       AND NEW.email_key IS NOT DISTINCT FROM OLD.email_key) THEN
            NEW.email_key := lower(NEW.email);
          END IF;
          RETURN NEW;
        END $$`);
    await queryRunner.query(`CREATE TRIGGER "TRG_users_identity_keys_default" BEFORE INSERT OR UPDATE OF "username", "email", "username_key", "email_key"
        ON "users" FOR EACH ROW EXECUTE FUNCTION users_identity_keys_default()`);
    await queryRunner.query(`CREATE FUNCTION users_identifiers_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'UPDATE' THEN
            IF NEW.username_key = OLD.username_key AND NEW.email_key = OLD.email_key THEN RETURN NULL; END IF;
            DELETE FROM user_identifiers WHERE user_id = OLD.id;
          END IF;
          INSERT INTO user_identifiers (key, user_id) VALUES (NEW.username_key, NEW.id);
          IF NEW.email_key <> NEW.username_key THEN
            INSERT INTO user_identifiers (key, user_id) VALUES (NEW.email_key, NEW.id);
          END IF;
          RETURN NULL;
        END $$`);
    await queryRunner.query(`CREATE TRIGGER "TRG_users_identifiers" AFTER INSERT OR UPDATE OF "username_key", "email_key"
        ON "users" FOR EACH ROW EXECUTE FUNCTION users_identifiers_sync()`);
  }

  private async computeKeys(queryRunner: QueryRunner): Promise<void> {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows: Array<{ id: string; username: string; email: string }> = await queryRunner.query(
        `SELECT id, username, email FROM users WHERE id > $1 ORDER BY id LIMIT ${BATCH}`,
        [after],
      );
      if (rows.length === 0) return;
      const values: unknown[] = [];
      const tuples = rows.map((row, i) => {
        values.push(row.id, usernameKey(row.username), emailKey(row.email) ?? row.email.toLowerCase());
        return `($${i * 3 + 1}::uuid, $${i * 3 + 2}, $${i * 3 + 3})`;
      });
      await queryRunner.query(
        `UPDATE users SET username_key = k.u, email_key = k.e FROM (VALUES ${tuples.join(', ')}) AS k(id, u, e) WHERE users.id = k.id`,
        values,
      );
      after = rows[rows.length - 1].id;
    }
  }

  private async separateCollisions(queryRunner: QueryRunner): Promise<void> {
    const losers: Array<{
      id: string;
      username: string;
      kind: 'username' | 'email';
      key: string;
      winner: string;
      winner_username: string;
    }> = await queryRunner.query(`
        WITH entries AS (
          SELECT id, username, created_at, username_key AS key, 'username' AS kind FROM users
          UNION ALL
          SELECT id, username, created_at, email_key, 'email' FROM users WHERE email_key <> username_key
        ), ranked AS (
          SELECT e.*, first_value(id) OVER w AS winner, first_value(username) OVER w AS winner_username
            FROM entries e WINDOW w AS (PARTITION BY key ORDER BY created_at, id)
        )
        SELECT id, username, kind, key, winner, winner_username FROM ranked WHERE id <> winner ORDER BY key, id`);
    for (const loser of losers) {
      const column = loser.kind === 'username' ? 'username_key' : 'email_key';
      await queryRunner.query(`UPDATE users SET ${column} = $2 WHERE id = $1`, [loser.id, `${loser.key}#${loser.id}`]);
      await queryRunner.query(
        `INSERT INTO audit_events (event_type, target_id, target_username, details) VALUES ('identity_collision', $1, $2, $3)`,
        [loser.id, loser.username, { field: loser.kind, kept_by: { id: loser.winner, username: loser.winner_username } }],
      );
      queryRunner.connection.logger.log(
        'warn',
        `identity collision: the ${loser.kind} of '${loser.username}' (${loser.id}) equals that of the older account ` +
          `'${loser.winner_username}' (${loser.winner}) under the identity rules; the older one keeps it, ` +
          `'${loser.username}' signs in by its other identifier until an admin renames it`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "TRG_users_identifiers" ON "users"`);
    await queryRunner.query(`DROP FUNCTION users_identifiers_sync()`);
    await queryRunner.query(`DROP TRIGGER "TRG_users_identity_keys_default" ON "users"`);
    await queryRunner.query(`DROP FUNCTION users_identity_keys_default()`);
    await queryRunner.query(`DROP TABLE "user_identifiers"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_users_email_key"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_users_username_key"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_users_username_lower" ON "users" (lower("username"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_users_email_lower" ON "users" (lower("email"))`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "email_key"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "username_key"`);
  }
}
