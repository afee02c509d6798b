/**
 * The time budgets' rules (src/shared/time-budgets.ts), at their boundaries:
 * a gate's timing as the construct and the handler both check it. How long
 * each class of error is retried: handler/retry.test.ts.
 */
import { gateTimingProblem } from '../../src/shared/time-budgets';

describe("a gate's timing", () => {
  test.each([
    [5, 5],
    [5, 3480],
    [600, 600],
    [600, 3480],
    [60, 300],
  ])('poll every %i s, time out after %i s: accepted', (pollInterval, timeout) => {
    expect(gateTimingProblem(pollInterval, timeout)).toBeUndefined();
  });

  test.each([
    [4.999, 300, 'pollInterval is 4.999 s; it must be between 5 s and 10 minutes.'],
    [600.001, 3480, 'pollInterval is 600.001 s; it must be between 5 s and 10 minutes.'],
    [Number.NaN, 300, 'pollInterval is NaN s; it must be between 5 s and 10 minutes.'],
    [60, 59.999, 'timeout is 59.999 s; it must be at least pollInterval and at most 58 minutes (CloudFormation waits an hour at most); pollInterval is 60 s.'],
    [60, 3480.001, 'timeout is 3480.001 s; it must be at least pollInterval and at most 58 minutes (CloudFormation waits an hour at most); pollInterval is 60 s.'],
    [60, Number.NaN, 'timeout is NaN s; it must be at least pollInterval and at most 58 minutes (CloudFormation waits an hour at most); pollInterval is 60 s.'],
  ])('poll every %d s, time out after %d s: refused, saying why', (pollInterval, timeout, problem) => {
    expect(gateTimingProblem(pollInterval, timeout)).toBe(problem);
  });
});
