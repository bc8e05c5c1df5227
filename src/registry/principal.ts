import { registryError } from './errors.js';

/** The gateway's roles (RBAC); the registry reads approvals and permissions by them. */
export const REGISTRY_ROLES = ['viewer', 'data_scientist', 'ml_engineer', 'auditor', 'admin'] as const;
export type RegistryRole = (typeof REGISTRY_ROLES)[number];

/** What a caller may do in the registry. */
export const REGISTRY_PERMISSIONS = [
  'registry:read',
  'registry:write',
  'registry:approve',
  'registry:promote',
] as const;
export type RegistryPermission = (typeof REGISTRY_PERMISSIONS)[number];

/**
 * The registry permissions each role grants, for principals that carry roles only. Data scientists
 * register and attach evidence; ML engineers also approve and promote; auditors read and approve.
 */
export const REGISTRY_ROLE_PERMISSIONS: Readonly<Record<RegistryRole, readonly RegistryPermission[]>> = {
  viewer: ['registry:read'],
  data_scientist: ['registry:read', 'registry:write'],
  ml_engineer: ['registry:read', 'registry:write', 'registry:approve', 'registry:promote'],
  auditor: ['registry:read', 'registry:approve'],
  admin: REGISTRY_PERMISSIONS,
};

/**
 * An authenticated caller, structurally compatible with the gateway's `Principal` ({ id, roles, via }).
 * `permissions`, when given, is what the caller may do (the gateway's RBAC decided it); otherwise the
 * permissions follow from the roles through REGISTRY_ROLE_PERMISSIONS.
 */
export interface RegistryPrincipal {
  id: string;
  roles: readonly string[];
  permissions?: readonly string[];
}

export function isRegistryRole(s: string): s is RegistryRole {
  return (REGISTRY_ROLES as readonly string[]).includes(s);
}

export function checkRegistryRole(s: string): RegistryRole {
  if (!isRegistryRole(s))
    throw registryError(
      'REGISTRY_REF_INVALID',
      `unknown role "${s}": use one of ${REGISTRY_ROLES.join(', ')}`,
    );
  return s;
}

export function registryCan(p: RegistryPrincipal, perm: RegistryPermission): boolean {
  if (p.permissions) return p.permissions.includes(perm);
  return p.roles.some((r) => isRegistryRole(r) && REGISTRY_ROLE_PERMISSIONS[r].includes(perm));
}

/** Throws REGISTRY_FORBIDDEN (403) unless the principal holds `perm`. */
export function requirePermission(p: RegistryPrincipal, perm: RegistryPermission): void {
  if (!registryCan(p, perm))
    throw registryError('REGISTRY_FORBIDDEN', `${p.id} (${p.roles.join(', ') || 'no role'}) may not ${perm}`);
}
