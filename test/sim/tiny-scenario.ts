/** A scenario small enough to run many times in one test file (~0.3 s, ~200 engine events). */
import { parseScenario } from '../../src/sim/scenario.js';

/** The YAML of TINY, for CLI tests that need a file. */
export const TINY_YAML =
  'name: tiny\nseed: 1\nnodes: 12\nduration: 40s\nevents:\n  - at: 20s\n    crash: { fraction: 0.25 }\n';

/** 12 nodes for 40 simulated seconds, a quarter of them crashing halfway. */
export const TINY = parseScenario(TINY_YAML, 'tiny.yaml');
