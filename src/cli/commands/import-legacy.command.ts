import { LegacyDatabase, LegacyDatabaseError, readLegacyDatabase } from '../../legacy-import/legacy-database';
import { ImportProblem, LegacyImporter, LegacyImportReport } from '../../legacy-import/legacy-importer';
import { UserStorageService } from '../../user-storage/user-storage.service';
import { CLI_USER_AGENT, CliError, note, out } from '../cli-io';
import { CommandHandler } from '../command';

function describeProblem(problem: ImportProblem): string {
  const who = [problem.id ?? '(no id)', problem.username ?? '(no username)', problem.email ? `<${problem.email}>` : '(no email)'];
  return `  ${who.join(' ')}: ${problem.reason}`;
}

function printReport(report: LegacyImportReport, usersRoot: string): void {
  const schema =
    report.schema === 'approval' ? 'with approval columns' : 'without approval columns: every user counts as approved';
  out(`Legacy import from ${report.file} (${schema})${report.dryRun ? ' [dry run]' : ''}`);
  out(`  rows read:         ${report.rows}`);
  out(`  imported:          ${report.imported.length}`);
  out(`  already present:   ${report.skippedExisting.length} (same id, left unchanged)`);
  out(`  conflicts:         ${report.conflicts.length} (skipped)`);
  out(`  invalid rows:      ${report.invalid.length} (skipped)`);
  if (report.conflicts.length > 0) {
    out('Conflicts (username or email already used by another account, case-insensitively):');
    for (const conflict of report.conflicts) out(describeProblem(conflict));
  }
  if (report.invalid.length > 0) {
    out('Invalid rows:');
    for (const problem of report.invalid) out(describeProblem(problem));
  }
  if (report.dryRun) {
    out('Dry run: nothing was written.');
    return;
  }
  out(`Storage trees under ${usersRoot}: ${report.treesReused} reused, ${report.treesCreated} created`);
  if (report.imported.length > 0) {
    out('Passwords keep working as they are; each is re-hashed with argon2id at its next successful login.');
  }
  if (report.unusableHashes.length > 0) {
    note(
      `warning: ${report.unusableHashes.length} imported user(s) have a password hash that is neither argon2 nor bcrypt ` +
        `and cannot log in until reset-password: ${report.unusableHashes.map((user) => user.username).join(', ')}`,
    );
  }
  for (const failure of report.treeFailures) {
    note(`error: storage tree of ${failure.id} not created (${failure.error}); run reconcile-storage once fixed`);
  }
  if (report.activeSuperusers === 0) {
    note('warning: there is no active, approved superuser; create one with create-superuser (or --promote-existing)');
  }
}

export const importLegacy: CommandHandler<LegacyDatabase> = {
  async prepare(args) {
    try {
      return readLegacyDatabase(args.positionals[0]);
    } catch (error) {
      if (error instanceof LegacyDatabaseError) throw new CliError(error.message);
      throw error;
    }
  },
  async run(app, args, legacy) {
    const storage = app.get(UserStorageService);
    const report = await app
      .get(LegacyImporter)
      .run(legacy, { dryRun: args.values['dry-run'] === true, userAgent: CLI_USER_AGENT });
    printReport(report, storage.usersRoot);
    return report.treeFailures.length > 0 ? 1 : 0;
  },
};
