import { parseInvocation } from './cli-args';
import { UsageError } from './cli-io';
import { CommandSpec } from './command';

const load = jest.fn();
const COMMANDS: CommandSpec[] = [
  {
    name: 'create-superuser',
    synopsis: '',
    description: '',
    options: { username: { type: 'string' }, email: { type: 'string' }, 'promote-existing': { type: 'boolean' } },
    requiredOptions: ['username', 'email'],
    positionals: [],
    load,
  },
  { name: 'reset-password', synopsis: '', description: '', options: {}, positionals: ['username|email'], load },
];

const usageError = (argv: string[]) => {
  try {
    parseInvocation(argv, COMMANDS);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).message;
  }
  throw new Error('no UsageError');
};

describe('parseInvocation', () => {
  it('parses options and positionals without loading the command', () => {
    const sut = parseInvocation(
      ['create-superuser', '--username', 'ada', '--email=ada@example.org', '--promote-existing'],
      COMMANDS,
    );
    expect(sut).toMatchObject({
      help: false,
      args: { values: { username: 'ada', email: 'ada@example.org', 'promote-existing': true }, positionals: [] },
    });
    expect(parseInvocation(['reset-password', 'ada'], COMMANDS)).toMatchObject({ args: { positionals: ['ada'] } });
    expect(load).not.toHaveBeenCalled();
  });

  it('answers help for the program and for one command', () => {
    expect(parseInvocation(['--help'], COMMANDS)).toEqual({ help: true, command: undefined });
    expect(parseInvocation(['reset-password', '-h'], COMMANDS)).toMatchObject({
      help: true,
      command: { name: 'reset-password' },
    });
  });

  it('names what is wrong', () => {
    expect(usageError([])).toBe('no command given');
    expect(usageError(['nope'])).toBe("unknown command 'nope'");
    expect(usageError(['create-superuser', '--username', 'ada'])).toBe('--email is required');
    expect(usageError(['create-superuser', '--username', 'ada', '--email', 'e', '--force'])).toMatch(/Unknown option '--force'/);
    expect(usageError(['create-superuser', '--username'])).toMatch(/--username/);
    expect(usageError(['reset-password'])).toBe('missing <username|email>');
    expect(usageError(['reset-password', 'a', 'b'])).toBe("unexpected argument 'b'");
  });
});
