import type { CommandHandler, CommandSpec } from '../command';

/* Handlers are required on demand (see CommandSpec). */
/* eslint-disable @typescript-eslint/no-require-imports */

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'create-superuser',
    synopsis: '--username <name> --email <email> [--promote-existing]',
    description:
      'Create an approved, active superuser, also on a populated database. The password comes from ' +
      'stdin or, in a terminal, from a prompt. With --promote-existing, an account that already has ' +
      'this username or email becomes an active, approved superuser instead and its login lockout is ' +
      'cleared (the recovery path when every admin is locked out); its password is kept.',
    options: { username: { type: 'string' }, email: { type: 'string' }, 'promote-existing': { type: 'boolean' } },
    requiredOptions: ['username', 'email'],
    positionals: [],
    readsPassword: true,
    load: () => (require('./create-superuser.command') as typeof import('./create-superuser.command')).createSuperuser,
  },
  {
    name: 'reset-password',
    synopsis: '<username|email>',
    description:
      "Set a user's password (from stdin or, in a terminal, a prompt; the password policy applies). " +
      "Ends all of the user's sessions and clears a login lockout.",
    options: {},
    positionals: ['username|email'],
    readsPassword: true,
    load: () => (require('./reset-password.command') as typeof import('./reset-password.command')).resetPassword,
  },
  {
    name: 'list-users',
    synopsis: '[--json]',
    description: 'List every user, oldest first: a table, or a JSON array with --json.',
    options: { json: { type: 'boolean' } },
    positionals: [],
    load: () => (require('./list-users.command') as typeof import('./list-users.command')).listUsers,
  },
  {
    name: 'reconcile-storage',
    synopsis: '',
    description:
      'Give every user a complete storage tree under DATA_DIR/users/ and list the trees that belong ' +
      'to no user (kept, never removed).',
    options: {},
    positionals: [],
    load: () => (require('./reconcile-storage.command') as typeof import('./reconcile-storage.command')).reconcileStorage,
  },
  {
    name: 'import-legacy',
    synopsis: '<users.db> [--dry-run]',
    description:
      "Import the original system's users from its SQLite database (graph_data/users.db): ids and " +
      'password hashes are kept, conflicts are reported and skipped, a second run changes nothing. ' +
      'With --dry-run everything is checked and nothing is written.',
    options: { 'dry-run': { type: 'boolean' } },
    positionals: ['users.db'],
    load: () => (require('./import-legacy.command') as typeof import('./import-legacy.command')).importLegacy as CommandHandler,
  },
];
