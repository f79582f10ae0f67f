import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every change that matters to authenticating a request notifies `gatehouse_auth` on commit: a
 * session revoked (`s:<id>`), a user deactivated, reactivated, promoted, demoted, renamed or
 * deleted (`u:<id>`). Each instance's in-memory session cache listens and evicts at once
 * (src/sessions/session-cache.ts). Triggers, so that no path — the API, the CLI, SQL by hand —
 * can change these without telling.
 */
export class SessionCacheNotify1795730000000 implements MigrationInterface {
  name = 'SessionCacheNotify1795730000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION gatehouse_auth_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_TABLE_NAME = 'users' THEN
            PERFORM pg_notify('gatehouse_auth', 'u:' || (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END)::text);
          ELSE
            PERFORM pg_notify('gatehouse_auth', 's:' || NEW.id::text);
          END IF;
          RETURN NULL;
        END $$`);
    await queryRunner.query(`CREATE TRIGGER "TRG_users_auth_notify"
        AFTER UPDATE OF "is_active", "is_superuser", "username", "email" OR DELETE ON "users"
        FOR EACH ROW EXECUTE FUNCTION gatehouse_auth_notify()`);
    await queryRunner.query(`CREATE TRIGGER "TRG_sessions_auth_notify"
        AFTER UPDATE OF "revoked_at" ON "sessions"
        FOR EACH ROW WHEN (NEW.revoked_at IS NOT NULL) EXECUTE FUNCTION gatehouse_auth_notify()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "TRG_sessions_auth_notify" ON "sessions"`);
    await queryRunner.query(`DROP TRIGGER "TRG_users_auth_notify" ON "users"`);
    await queryRunner.query(`DROP FUNCTION gatehouse_auth_notify()`);
  }
}
