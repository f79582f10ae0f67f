import { TransformFnParams } from 'class-transformer';

/** Query strings arrive as text: these turn well-formed text into values and leave the rest to fail validation. */
export const toBoolean = ({ value }: TransformFnParams): unknown =>
  value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;

export const toInteger = ({ value }: TransformFnParams): unknown =>
  typeof value === 'string' && /^-?\d{1,9}$/.test(value) ? Number(value) : value;
