import { createTestApp, type TestApp } from './create-test-app';

let counter = 0;

export interface Credentials {
  username: string;
  email: string;
  password: string;
}

export function newCredentials(prefix = 'user'): Credentials {
  counter += 1;
  const tag = `${prefix}${counter}${Math.random().toString(36).slice(2, 7)}`;
  return { username: tag, email: `${tag}@example.org`, password: `pw-${tag}-long-enough` };
}

export function register(t: TestApp, credentials: Credentials, extra: Record<string, unknown> = {}) {
  return t.http.post('/api/register').send({ ...credentials, ...extra });
}

/** Registers and approves directly in the database (the admin routes are tested elsewhere). */
export async function createActiveUser(t: TestApp, prefix = 'user', superuser = false): Promise<Credentials & { id: string }> {
  const credentials = newCredentials(prefix);
  const response = await register(t, credentials);
  if (response.status !== 201) throw new Error(`register failed: ${response.status} ${JSON.stringify(response.body)}`);
  await t.sql(
    `UPDATE users SET is_active = true, is_approved = true, approval_status = 'approved', is_superuser = $2 WHERE id = $1`,
    [response.body.id, superuser],
  );
  return { ...credentials, id: response.body.id };
}

export async function loginToken(t: TestApp, identifier: string, password: string): Promise<string> {
  const response = await t.http.post('/api/login').send({ username_or_email: identifier, password });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.access_token as string;
}

export type ActiveUser = Awaited<ReturnType<typeof createActiveUser>>;

/** A fresh app with one signed-in superuser: where most admin tests start. */
export async function appWithAdmin(env: Record<string, string> = {}) {
  const t = await createTestApp(env);
  const admin = await createActiveUser(t, 'admin', true);
  const adminAuth = { Authorization: `Bearer ${await loginToken(t, admin.username, admin.password)}` };
  return { t, admin, adminAuth };
}
