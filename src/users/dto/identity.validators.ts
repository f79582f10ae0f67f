import { registerDecorator, ValidationOptions } from 'class-validator';
import { emailProblem, usernameProblem } from '../identity';

/** A username that follows docs/API.md §3 Identity rules (422 `value_error` otherwise). */
export function IsUsername(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isUsername',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && usernameProblem(value) === null,
        defaultMessage: (args) =>
          typeof args?.value === 'string' ? (usernameProblem(args.value) ?? 'invalid username') : 'invalid username',
      },
    });
}

/** No control, format or whitespace characters, and a domain with an ASCII (IDNA) form. */
export function IsAcceptableEmail(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isAcceptableEmail',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && emailProblem(value) === null,
        defaultMessage: (args) =>
          typeof args?.value === 'string' ? (emailProblem(args.value) ?? 'invalid email') : 'invalid email',
      },
    });
}
