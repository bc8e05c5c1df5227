import { monitorError } from '../errors.js';
import { andersonTest, mannWhitneyTest } from './tests/rank.js';
import { chiSquareTest, fisherExactTest, gTestTest, linfTest, zTest } from './tests/categorical.js';
import { energyTest, wassersteinNormTest, wassersteinTest } from './tests/distance.js';
import { hellingerTest, jensenShannonTest, klDivTest, psiTest } from './tests/divergence.js';
import { ksTest } from './tests/ks.js';
import { mmdDriftTest } from './tests/mmd.js';
import { eppsSingletonTest, tTestTest } from './tests/parametric.js';
import { DRIFT_TEST_NAMES, type DriftTest, type DriftTestName } from './types.js';

/** Every drift test, one entry per name in DRIFT_TEST_NAMES. */
export const DRIFT_TESTS: readonly DriftTest[] = [
  ksTest,
  psiTest,
  chiSquareTest,
  gTestTest,
  fisherExactTest,
  zTest,
  jensenShannonTest,
  klDivTest,
  hellingerTest,
  wassersteinTest,
  wassersteinNormTest,
  energyTest,
  andersonTest,
  mannWhitneyTest,
  eppsSingletonTest,
  tTestTest,
  linfTest,
  mmdDriftTest,
];

export function isDriftTestName(name: string): name is DriftTestName {
  return (DRIFT_TEST_NAMES as readonly string[]).includes(name);
}

export function getDriftTest(name: string): DriftTest {
  const t = DRIFT_TESTS.find((d) => d.name === name);
  if (!t)
    throw monitorError(
      'MONITOR_UNKNOWN_TEST',
      `unknown drift test "${name}"; known: ${DRIFT_TEST_NAMES.join(', ')}`,
    );
  return t;
}
