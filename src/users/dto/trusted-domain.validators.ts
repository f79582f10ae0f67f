import { registerDecorator, ValidationOptions } from 'class-validator';
import { NOT_A_DOMAIN, trustedDomainKey } from '../trusted-domain-rules';

/** A domain name in Unicode or ASCII form, as a trusted domain may be (422 `value_error` otherwise). */
export function IsDomainName(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isDomainName',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && trustedDomainKey(value) !== null,
        defaultMessage: () => NOT_A_DOMAIN,
      },
    });
}
