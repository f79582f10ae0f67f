import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, ValidationError, validate } from 'class-validator';
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
  isArray: { type: 'list_type', msg: 'Input should be a valid list' },
  arrayMinSize: { type: 'too_short' },
  arrayMaxSize: { type: 'too_long' },
  isIn: { type: 'enum' },
  isEnum: { type: 'enum' },
  minLength: { type: 'string_too_short' },
  maxLength: { type: 'string_too_long' },
  min: { type: 'greater_than_equal' },
  max: { type: 'less_than_equal' },
};

/** A value of the wrong type is reported as such, before any rule about its content. */
const FIRST_REPORTED = [
  'whitelistValidation',
  'isArray',
  'isString',
  'isBoolean',
  'isInt',
  'isUuid',
  'isEmail',
  'isIn',
  'isEnum',
];

function toIssues(errors: ValidationError[], loc: Array<string | number>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const error of errors) {
    const here = [...loc, fieldName(error.property)];
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

/** No request of ours nests deeper than this; deeper input would only exhaust the stack. */
export const MAX_INPUT_DEPTH = 8;

/** A field name as reported back: never an arbitrary text (it may be a misplaced secret). */
const fieldName = (key: string): string => (/^[A-Za-z0-9_.-]{1,64}$/.test(key) ? key : '[invalid field name]');

/**
 * Input that no schema check should ever see: nesting past MAX_INPUT_DEPTH, NUL characters
 * (PostgreSQL text cannot hold them) and lone UTF-16 surrogates (not text at all). Walked without
 * recursion, so that a hostile depth cannot overflow the stack here either.
 */
function unacceptableInput(value: unknown, root: string): ValidationIssue | null {
  const stack: Array<{ node: unknown; loc: Array<string | number>; depth: number }> = [{ node: value, loc: [root], depth: 0 }];
  while (stack.length > 0) {
    const { node, loc, depth } = stack.pop()!;
    if (typeof node === 'string') {
      if (node.includes('\u0000'))
        return { loc, msg: 'String should not contain NUL characters', type: 'string_pattern_mismatch' };
      if (!node.isWellFormed()) return { loc, msg: 'Input should be a valid string', type: 'string_unicode' };
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) return { loc, msg: 'Input is nested too deeply', type: 'value_error' };
    for (const [key, inner] of Object.entries(node as Record<string, unknown>)) {
      if (key.includes('\u0000') || !key.isWellFormed())
        return { loc: [...loc, '[invalid field name]'], msg: 'Invalid field name', type: 'value_error' };
      stack.push({ node: inner, loc: [...loc, Array.isArray(node) ? Number(key) : fieldName(key)], depth: depth + 1 });
    }
  }
  return null;
}

/**
 * The fields a DTO declares (every field carries at least one class-validator decorator). Looked up
 * as own keys of a Set: class-validator's own whitelist looks names up in a plain object, where
 * `constructor`, `toString` and the other Object.prototype members always seem declared.
 */
const declaredFieldsCache = new WeakMap<object, ReadonlySet<string>>();
function declaredFields(metatype: object): ReadonlySet<string> {
  let fields = declaredFieldsCache.get(metatype);
  if (!fields) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(metatype as new () => object, '', false, false);
    fields = new Set(metadata.map((entry) => entry.propertyName));
    declaredFieldsCache.set(metatype, fields);
  }
  return fields;
}

const extraField = (root: string, key: string): ValidationIssue => ({
  loc: [root, fieldName(key)],
  msg: 'Extra inputs are not permitted',
  type: 'extra_forbidden',
});

/**
 * Validates bodies and queries against their DTO classes and reports failures in FastAPI's shape:
 * bodies → 422 (as FastAPI), queries → 400 (docs/API.md §10 Administration: "400 bad query"). Unknown fields are refused.
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
    const unacceptable = unacceptableInput(value, type);
    if (unacceptable) throw new RequestValidationError([unacceptable], status);
    // Unknown fields are judged on the input's own keys (docs/API.md §1 Conventions), and only
    // declared ones reach class-transformer.
    const declared = declaredFields(metatype);
    const extras: ValidationIssue[] = [];
    const known: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      if (declared.has(key)) known[key] = field;
      else extras.push(extraField(type, key));
    }
    const instance = plainToInstance(metatype as new () => object, known, {
      enableImplicitConversion: false,
      exposeDefaultValues: true,
    });
    const errors = await validate(instance, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      validationError: { target: false, value: true },
    });
    if (errors.length > 0 || extras.length > 0)
      throw new RequestValidationError([...toIssues(errors, [type]), ...extras], status);
    return instance;
  }
}
