import { describe, expect, it } from 'vitest';
import { isWardenError } from '../core/index.js';
import { ROLES, authorize, can, permissionsOf, type Principal } from './rbac.js';

const who = (...roles: Principal['roles']): Principal => ({ id: 'p', roles, via: 'api-key' });

describe('rbac', () => {
  it('grants each role its permissions and nothing else', () => {
    expect(can(who('viewer'), 'model:read')).toBe(true);
    expect(can(who('viewer'), 'model:predict')).toBe(false);
    expect(can(who('data_scientist'), 'model:predict')).toBe(true);
    expect(can(who('data_scientist'), 'metrics:read')).toBe(false);
    expect(can(who('ml_engineer'), 'audit:read')).toBe(false);
    expect(can(who('auditor'), 'audit:read')).toBe(true);
    expect(can(who('auditor'), 'model:predict')).toBe(false);
    expect(can(who('ml_engineer'), 'keys:manage')).toBe(false);
    for (const r of ROLES) expect(can(who(r), 'model:read')).toBe(true);
    expect(can(who('admin'), 'keys:manage')).toBe(true);
    expect(can(who(), 'model:read')).toBe(false);
    expect(can(who('viewer', 'auditor'), 'audit:read')).toBe(true);
  });

  it('maps the registry actions to roles as the registry approval rules do', () => {
    const reg = (p: Principal) => permissionsOf(p).filter((x) => x.startsWith('registry:'));
    expect(reg(who('viewer'))).toEqual(['registry:read']);
    expect(reg(who('data_scientist'))).toEqual(['registry:read', 'registry:write']);
    expect(reg(who('auditor'))).toEqual(['registry:read', 'registry:approve']);
    expect(reg(who('ml_engineer'))).toEqual([
      'registry:read',
      'registry:write',
      'registry:approve',
      'registry:promote',
    ]);
    expect(can(who('admin'), 'registry:promote')).toBe(true);
    expect(permissionsOf(who())).toEqual([]);
  });

  it('refuses with a typed 403 error naming the permission', () => {
    try {
      authorize(who('viewer'), 'model:predict', 'mnist');
      expect.unreachable();
    } catch (e) {
      expect(isWardenError(e) && e.code).toBe('GATEWAY_FORBIDDEN');
      expect((e as Error).message).toContain('model:predict on mnist');
    }
  });
});
