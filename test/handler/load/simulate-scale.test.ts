/**
 * Scale by simulation (scripts/simulate-scale.ts): the real retry loop under
 * a virtual clock, against an SES that admits one call a second.
 */
import { simulateScale } from '../../../scripts/simulate-scale';
import { LOOKUP_MAX_WAIT_MS } from '../../../src/shared/time-budgets';

test('400 lookups started at once, and gates polling, against SES at 1 call/s: none fails, all within the deadline', async () => {
  const result = await simulateScale({ lookups: 400, seed: 20261130 });

  expect(result.failedLookups).toBe(0);
  expect(result.failedGates).toBe(0);
  expect(result.slowestLookupMs).toBeLessThan(LOOKUP_MAX_WAIT_MS);
  // One call a second is the floor; SES was really the bottleneck.
  expect(result.makespanMs).toBeGreaterThanOrEqual(result.idealMs - 5_000);
  expect(result.throttled).toBeGreaterThan(400);
});

test('a run is repeatable: the same seed, the same figures', async () => {
  const first = await simulateScale({ lookups: 50, seed: 7 });
  const second = await simulateScale({ lookups: 50, seed: 7 });

  expect(second).toEqual(first);
  expect(first.failedLookups).toBe(0);
});

test('one lookup alone: one call', async () => {
  const result = await simulateScale({ lookups: 1, gates: 0 });

  expect(result).toMatchObject({ failedLookups: 0, sesCallsPerLookup: 1, throttled: 0 });
});
