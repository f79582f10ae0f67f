import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { ValidationError, validate } from 'class-validator';
import { RequestValidationError, ValidationIssue } from '../errors/request-validation.error';

/** class-validator constraint → pydantic v2 error type and message, as FastAPI clients see them. */
const PYDANTIC: Record<string, { type: string; msg?: string }> = {
  whitelistValidation: { type: 'extra_forbidden', msg: 'Extra inputs are not permitted' },
  isDefined: { type: 'missing', msg: 'Field required' },
  isString: { type: 'string_type', msg: 'Input should be a valid string' },
  isBoolean: { type: 'bool_type', msg: 'Input should be a valid boolean' },
  isInt: { type: 'int_type', msg: 'Input should be a valid integer' },
  isEmail: { type: 'value_error', msg: 'value is not a valid email address' },
  isUuid: { type: 'uuid_parsing', msg: 'Input should be a valid UUID' },
  isIn: { type: 'enum' },
  isEnum: { type: 'enum' },
  minLength: { type: 'string_too_short' },
  maxLength: { type: 'string_too_long' },
  min: { type: 'greater_than_equal' },
  max: { type: 'less_than_equal' },
};

/** A value of the wrong type is reported as such, before any rule about its content. */
const FIRST_REPORTED = ['whitelistValidation', 'isString', 'isBoolean', 'isInt', 'isUuid', 'isEmail', 'isIn', 'isEnum'];

function toIssues(errors: ValidationError[], loc: Array<string | number>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const error of errors) {
    const here = [...loc, error.property];
    const constraints = Object.keys(error.constraints ?? {});
    if (constraints.length > 0) {
      // Report a missing field once, as pydantic does, not once per failed constraint.
      const name =
        error.value === undefined && !constraints.includes('whitelistValidation')
          ? 'isDefined'
          : (FIRST_REPORTED.find((candidate) => constraints.includes(candidate)) ?? constraints[0]);
      const known = PYDANTIC[name];
      issues.push({
        loc: here,
        type: known?.type ?? 'value_error',
        msg: known?.msg ?? error.constraints?.[name] ?? 'Invalid value',
      });
    }
    if (error.children?.length) issues.push(...toIssues(error.children, here));
  }
  return issues;
}

const PRIMITIVES: unknown[] = [String, Boolean, Number, Array, Object];

/**
 * Validates bodies and queries against their DTO classes and reports failures in FastAPI's shape:
 * bodies → 422 (as FastAPI), queries → 400 (SPEC: "400 bad query"). Unknown fields are refused.
 */
@Injectable()
export class RequestValidationPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { metatype, type } = metadata;
    if ((type !== 'body' && type !== 'query') || !metatype || PRIMITIVES.includes(metatype)) return value;
    const status = type === 'body' ? 422 : 400;
    // A body whose fields are all optional may be left out entirely (e.g. promote without a reason).
    if ((value === undefined || value === null) && (metatype as { optionalBody?: boolean }).optionalBody) value = {};
    if (type === 'query' && value === undefined) value = {};
    if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
      const missing = value === undefined || value === null;
      throw new RequestValidationError(
        [
          missing
            ? { loc: [type], msg: 'Field required', type: 'missing' }
            : { loc: [type], msg: 'Input should be a valid dictionary or object', type: 'model_attributes_type' },
        ],
        status,
      );
    }
    const instance = plainToInstance(metatype as new () => object, value, {
      enableImplicitConversion: false,
      exposeDefaultValues: true,
    });
    const errors = await validate(instance, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      validationError: { target: false, value: true },
    });
    if (errors.length > 0) throw new RequestValidationError(toIssues(errors, [type]), status);
    return instance;
  }
}
