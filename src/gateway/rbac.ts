import { gatewayError } from './errors.js';

export const ROLES = ['viewer', 'data_scientist', 'ml_engineer', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'model:read',
  'model:predict',
  'metrics:read',
  'audit:read',
  'keys:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What each role may do; a principal holds the union of its roles' permissions. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  viewer: ['model:read'],
  data_scientist: ['model:read', 'model:predict'],
  ml_engineer: ['model:read', 'model:predict', 'metrics:read'],
  auditor: ['model:read', 'audit:read', 'metrics:read'],
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
