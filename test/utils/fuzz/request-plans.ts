import fc from 'fast-check';
import {
  CONTENT_TYPES,
  formText,
  jsonObjectText,
  jsonText,
  pathIdArb,
  percentEncode,
  queryKeyArb,
  queryValueArb,
  RAW_BODIES,
  RAW_QUERY_FRAGMENTS,
} from './bodies-and-urls';
import { AUTH_VARIANTS, type AuthVariant, authVariantArb, extraHeaders } from './headers-and-tokens';
import { nastyKey, nastyValue } from './hostile-values';
import type { Method, RouteModel } from './route-models';

/**
 * Request plans for the fuzz suite (test/e2e/fuzz.e2e-spec.ts): the requests generated for one
 * route (valid, mutated or hostile body, query, path id, Authorization and other headers), and the
 * fixed curated requests sent to every route. Plain data only: sending and checking is the suite's
 * business.
 */

/** One request, before its Authorization header is written (logout gets fresh sessions at send time). */
export interface Plan {
  route: RouteModel;
  method: Method;
  path: string;
  query: string;
  auth: AuthVariant;
  contentType?: string;
  body?: string;
  headers: Record<string, string>;
}

type Entries = Array<[string, unknown]>;
type Mutation = { op: 'drop'; key: string } | { op: 'set' | 'add'; key: string; value: unknown };

function applyMutation(entries: Entries, mutation: Mutation): Entries {
  if (mutation.op === 'drop') return entries.filter(([key]) => key !== mutation.key);
  if (mutation.op === 'add') return [...entries, [mutation.key, mutation.value]];
  const at = entries.findIndex(([key]) => key === mutation.key);
  return at < 0
    ? [...entries, [mutation.key, mutation.value]]
    : entries.map((entry, i) => (i === at ? [mutation.key, mutation.value] : entry));
}

/** A body: valid, mutated (dropped, retyped, extra fields), raw bad text, another content type, or none. */
function payloadArb(route: RouteModel): fc.Arbitrary<{ contentType?: string; body?: string }> {
  const model = route.body;
  const defaultType = model?.encoding === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
  const raw = fc.record({
    contentType: fc.oneof(
      { weight: 4, arbitrary: fc.constant(defaultType) },
      { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
    ),
    body: fc.constantFrom(...RAW_BODIES),
  });
  if (!model) {
    const junk = fc
      .array(fc.tuple(nastyKey, nastyValue), { maxLength: 4 })
      .map((entries) => ({ contentType: 'application/json', body: jsonObjectText(entries) }));
    return fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 2, arbitrary: raw }, { weight: 1, arbitrary: junk });
  }
  const names = Object.keys(model.fields);
  const valid: fc.Arbitrary<Entries> = fc
    .record(model.fields, { requiredKeys: model.required })
    .map((record) => Object.entries(record) as Entries);
  // In a form every value is a string, so retyping rarely invalidates; there, mostly drop and add,
  // or nearly every mutated login would cost an argon2 hash.
  const form = model.encoding === 'form';
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    { weight: form ? 3 : 2, arbitrary: fc.constantFrom(...names).map((key): Mutation => ({ op: 'drop', key })) },
    {
      weight: form ? 3 : 6,
      arbitrary: fc.tuple(fc.constantFrom(...names), nastyValue).map(([key, value]): Mutation => ({ op: 'set', key, value })),
    },
    {
      weight: form ? 4 : 2,
      arbitrary: fc.tuple(nastyKey, nastyValue).map(([key, value]): Mutation => ({ op: 'add', key, value })),
    },
  );
  const mutated = fc
    .tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 }))
    .map(([entries, ms]) => ms.reduce(applyMutation, entries));
  const write = (entries: Entries) => (model.encoding === 'form' ? formText(entries) : jsonObjectText(entries));
  return fc.oneof(
    { weight: model.validWeight, arbitrary: valid.map((entries) => ({ contentType: defaultType, body: write(entries) })) },
    { weight: 12, arbitrary: mutated.map((entries) => ({ contentType: defaultType, body: write(entries) })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.oneof(valid, mutated), fc.constantFrom(...CONTENT_TYPES), fc.boolean())
        .map(([entries, contentType, asForm]) => ({ contentType, body: asForm ? formText(entries) : jsonObjectText(entries) })),
    },
    { weight: 3, arbitrary: raw },
    { weight: 1, arbitrary: nastyValue.map((value) => ({ contentType: defaultType, body: jsonText(value) })) },
    { weight: 1, arbitrary: fc.constant({}) },
  );
}

/** A query string: the route's keys with valid or hostile values, repeated keys, junk keys, raw fragments. */
function queryArb(route: RouteModel): fc.Arbitrary<string> {
  const model = route.query ?? {};
  const known = Object.keys(model);
  const validPair = known.length
    ? [
        {
          weight: 5,
          arbitrary: fc.constantFrom(...known).chain((key) => model[key].map((value) => `${key}=${percentEncode(value)}`)),
        },
      ]
    : [];
  const part = fc.oneof(
    ...validPair,
    { weight: 3, arbitrary: fc.tuple(queryKeyArb(known), queryValueArb).map(([key, value]) => `${key}=${value}`) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_QUERY_FRAGMENTS) },
  );
  return fc.oneof(
    { weight: known.length ? 1 : 4, arbitrary: fc.constant('') },
    { weight: 3, arbitrary: fc.array(part, { minLength: 1, maxLength: 6 }).map((parts) => `?${parts.join('&')}`) },
  );
}

/** The one parameter of a path (`:user_id`, `:session_id`, `:domain`); the fuzzer puts ids and hostile values there. */
const PATH_PARAM = /:[a-z_]+/;

/** Generated requests for one route; `describe` is what fast-check prints for a counterexample. */
export function planArb(route: RouteModel, liveIds: readonly string[], describe: (plan: Plan) => string): fc.Arbitrary<Plan> {
  return fc
    .record({
      method: fc.oneof(
        { weight: 40, arbitrary: fc.constant(route.method) },
        { weight: 1, arbitrary: fc.constantFrom<Method>('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS') },
      ),
      path: PATH_PARAM.test(route.path)
        ? pathIdArb(liveIds).map((id) => route.path.replace(PATH_PARAM, id))
        : fc.constant(route.path),
      query: queryArb(route),
      auth: authVariantArb,
      payload: payloadArb(route),
      headers: fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: extraHeaders }),
    })
    .map(({ payload, ...rest }) => {
      const plan: Plan = { route, ...rest, ...payload };
      return Object.assign(plan, { [fc.toStringMethod]: () => describe(plan) });
    });
}

/** Query values that break parsers, casts and drivers: NUL, bad escapes, lone surrogates, sizes, arrays. */
const CURATED_QUERY_VALUES = [
  '%00',
  'a%00b',
  '%zz',
  '%',
  '%ED%A0%80',
  'x'.repeat(8_000),
  '-1',
  '0',
  '1.5',
  '1e400',
  '9'.repeat(400),
  '',
  'NaN',
  "'%20OR%201%3D1%20--",
];

/** The fixed part: every raw body, content type, Authorization header, odd id and odd query value, on every route. */
export function curatedPlans(routes: readonly RouteModel[], liveId: string): Plan[] {
  const asAdmin = AUTH_VARIANTS.find((variant) => variant.name === 'admin') as AuthVariant;
  const plans: Plan[] = [];
  for (const route of routes) {
    const base: Plan = {
      route,
      method: route.method,
      path: route.path.replace(PATH_PARAM, '0f0e0d0c-0b0a-4908-8706-050403020100'),
      query: '',
      auth: asAdmin,
      headers: {},
    };
    const type = route.body?.encoding === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
    // Fastify never reads the body of a GET: there, bodies and content types would only cost time.
    if (route.method !== 'GET') {
      for (const body of RAW_BODIES) plans.push({ ...base, contentType: type, body });
      for (const contentType of CONTENT_TYPES) plans.push({ ...base, contentType, body: '{"a":1}' });
    }
    for (const auth of AUTH_VARIANTS) plans.push({ ...base, auth });
    for (const key of Object.keys(route.query ?? {})) {
      for (const value of CURATED_QUERY_VALUES) plans.push({ ...base, query: `?${key}=${value}` });
      plans.push({ ...base, query: `?${key}=1&${key}=2` }, { ...base, query: `?${key}[]=1` }, { ...base, query: `?${key}[a]=1` });
    }
    if (PATH_PARAM.test(route.path)) {
      for (const id of [
        '%zz',
        '%',
        'a%2Fb',
        '..%2F..%2Fetc%2Fpasswd',
        '%00',
        'x'.repeat(1024),
        percentEncode('\ud800'),
        liveId.replace(/-/g, ''),
      ]) {
        plans.push({ ...base, path: route.path.replace(PATH_PARAM, id) });
      }
    }
  }
  return plans;
}
