import { Reflector } from '@nestjs/core';
import { IS_PUBLIC } from '../../src/common/decorators/public.decorator';
import { SUPERUSER_ONLY } from '../../src/sessions/superuser-only.decorator';
import { createTestApp, TestApp } from '../utils/create-test-app';
import { declaredRoutes } from '../utils/routes';

/**
 * Who may call what, for every route of the app. A permission change shows up here as a diff
 * that someone must read and accept by editing the list.
 */
const EXPECTED = [
  'DELETE /admin/trusted-domains/:domain superuser',
  'DELETE /admin/users/:user_id superuser',
  'DELETE /users/me/sessions/:session_id user',
  'DELETE /admin/users/:user_id/sessions superuser',
  'GET /admin/audit-events superuser',
  'GET /admin/audit-events/export superuser',
  'GET /admin/pending-approvals superuser',
  'GET /admin/stats superuser',
  'GET /admin/trusted-domains superuser',
  'GET /admin/users superuser',
  'GET /admin/users/:user_id/sessions superuser',
  'GET /config public',
  'GET /health/live public',
  'GET /health/ready public',
  'GET /users/me user',
  'GET /users/me/sessions user',
  'GET /whoami user',
  'PATCH /admin/users/:user_id superuser',
  'PATCH /users/me user',
  'POST /admin/trusted-domains superuser',
  'POST /admin/users superuser',
  'POST /admin/users/:user_id/approve superuser',
  'POST /admin/users/:user_id/demote superuser',
  'POST /admin/users/:user_id/promote superuser',
  'POST /admin/users/:user_id/unlock superuser',
  'POST /forgot-password public',
  'POST /admin/users/bulk-approve superuser',
  'POST /jwt/login public',
  'POST /jwt/logout user',
  'POST /login public',
  'POST /register public',
  'POST /request-verify-token public',
  'POST /reset-password public',
  'POST /users/me/password user',
  'POST /users/me/sessions/revoke-others user',
  'POST /verify public',
  'PUT /admin/users/:user_id superuser',
];

describe('route access (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('lists every route as public | user | superuser', () => {
    const reflector = t.app.get(Reflector);
    const routes = declaredRoutes(t.app).map(({ method, path, targets }) => {
      const access = reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)
        ? 'public'
        : reflector.getAllAndOverride<boolean>(SUPERUSER_ONLY, targets)
          ? 'superuser'
          : 'user';
      return `${method} ${path} ${access}`;
    });
    expect(routes.sort()).toEqual([...EXPECTED].sort());
  });

  it('really refuses anonymous callers on every non-public route', async () => {
    for (const line of EXPECTED.filter((route) => !route.endsWith(' public'))) {
      const [method, path] = line.split(' ');
      const url = `/api${path.replace(/:(user_id|session_id)/, '0f0e0d0c-0b0a-4908-8706-050403020100').replace(':domain', 'example.org')}`;
      const response = await t.http[method.toLowerCase() as 'get'](url);
      expect({ line, status: response.status }).toEqual({ line, status: 401 });
    }
  });
});
