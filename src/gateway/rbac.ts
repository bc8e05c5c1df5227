import { gatewayError } from './errors.js';

export const ROLES = ['viewer', 'data_scientist', 'ml_engineer', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'model:read',
  'model:predict',
  'metrics:read',
  'audit:read',
  'keys:manage',
  'registry:read',
  'registry:write',
  'registry:approve',
  'registry:promote',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * What each role may do; a principal holds the union of its roles' permissions. Registry rights follow the
 * registry's approval rules: data scientists register and attach evidence, ML engineers and auditors
 * approve, ML engineers (and admins) promote.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  viewer: ['model:read', 'registry:read'],
  data_scientist: ['model:read', 'model:predict', 'registry:read', 'registry:write'],
  ml_engineer: [
    'model:read',
    'model:predict',
    'metrics:read',
    'registry:read',
    'registry:write',
    'registry:approve',
    'registry:promote',
  ],
  auditor: ['model:read', 'audit:read', 'metrics:read', 'registry:read', 'registry:approve'],
  admin: PERMISSIONS,
};

/** Who is calling, as the authentication stage established it. */
export interface Principal {
  id: string;
  roles: readonly Role[];
  via: 'api-key' | 'jwt' | 'mtls';
}

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}

/** Every permission the principal's roles grant. */
export function permissionsOf(p: Principal): Permission[] {
  return PERMISSIONS.filter((perm) => can(p, perm));
}

export function can(p: Principal, perm: Permission): boolean {
  return p.roles.some((r) => ROLE_PERMISSIONS[r].includes(perm));
}

/** Throws GATEWAY_FORBIDDEN (403) unless one of the principal's roles grants `perm`. */
export function authorize(p: Principal, perm: Permission, resource?: string): void {
  if (!can(p, perm))
    throw gatewayError(
      'GATEWAY_FORBIDDEN',
      `${p.id} (${p.roles.join(', ') || 'no role'}) may not ${perm}${resource ? ` on ${resource}` : ''}`,
    );
}
