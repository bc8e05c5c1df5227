import { privacyError } from '../errors.js';
import { GdpAccountant } from './gdp.js';
import { PldAccountant, type PldOptions } from './pld.js';
import { PrvAccountant, type PrvOptions } from './prv.js';
import { RdpAccountant, type RdpOptions } from './rdp.js';
import { ACCOUNTANT_NAMES, type Accountant, type AccountantName } from './types.js';

/** Options of every accountant in one bag; each accountant reads only its own. */
export interface AccountantOptions extends RdpOptions, PrvOptions, PldOptions {}

/** One accountant the registry knows: its name, a line for help texts, and how to make one. */
export interface AccountantEntry {
  name: AccountantName;
  description: string;
  create(options?: AccountantOptions): Accountant;
}

/** Every accountant, in one list: the CLI, the calibration and the shared contract test use it. */
export const ACCOUNTANTS: readonly AccountantEntry[] = [
  {
    name: 'rdp',
    description: 'Renyi DP of the subsampled Gaussian (Opacus / dp_accounting RDP)',
    create: (o = {}) => new RdpAccountant({ orders: o.orders, conversion: o.conversion, series: o.series }),
  },
  {
    name: 'prv',
    description: 'privacy random variables composed by FFT (Opacus PRVAccountant), upper bound',
    create: (o = {}) =>
      new PrvAccountant({ epsError: o.epsError, deltaError: o.deltaError, maxGridSize: o.maxGridSize }),
  },
  {
    name: 'gdp',
    description: 'Gaussian DP by the central limit theorem (Opacus gdp), an approximation',
    create: () => new GdpAccountant(),
  },
  {
    name: 'pld',
    description: 'privacy loss distributions, pessimistic grid (dp_accounting PLD), add/remove adjacency',
    create: (o = {}) => new PldAccountant({ valueDiscretizationInterval: o.valueDiscretizationInterval }),
  },
];

export function createAccountant(name: AccountantName, options?: AccountantOptions): Accountant {
  const entry = ACCOUNTANTS.find((a) => a.name === name);
  if (!entry)
    throw privacyError(
      'PRIVACY_INVALID_OPTION',
      `unknown accountant ${String(name)} (use ${ACCOUNTANT_NAMES.join(', ')})`,
    );
  return entry.create(options);
}
