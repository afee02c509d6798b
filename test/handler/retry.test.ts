/**
 * The retry policy (src/handler/retry.ts): how long each class of error is
 * retried (once in time-budgets.test.ts), the backoff, and the retry table of
 * docs/behaviour.md, which states the code's numbers class by class.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_RETRY, nextDelay, retryWindowMs, type RetryClass, type RetryOptions } from '../../src/handler/retry';
import { LOOKUP_MAX_WAIT_MS } from '../../src/shared/time-budgets';

const BEHAVIOUR = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'behaviour.md'), 'utf8');
const MS = { s: 1_000, min: 60_000 } as const;

/** A bold figure of the docs, in milliseconds: `**25 s**`, `**12 min**`. */
function figureMs(text: string): number {
  const [, value, unit] = /\*\*(\d+(?:\.\d+)?) (s|min)\*\*/.exec(text) ?? [];
  expect(value).toBeDefined();
  return Number(value) * MS[unit as keyof typeof MS];
}

describe("docs/behaviour.md's retry table is the code's policy", () => {
  test.each(['throttling', 'fault', 'unresolvedHost', 'accessDenied', 'final'] as const)('%s', (kind: RetryClass) => {
    const row = BEHAVIOUR.split('\n').find((line) => line.trim().startsWith(`| \`${kind}\`:`));
    expect(row).toBeDefined();
    const retriedFor = row!.split('|')[2];
    // Throttling is retried for as long as the read may wait: its window has no end of its own.
    const expected = kind === 'throttling' ? LOOKUP_MAX_WAIT_MS : retryWindowMs(kind, DEFAULT_RETRY);
    expect(figureMs(retriedFor)).toBe(expected);
  });

  test('the backoff and the attempts', () => {
    const [, base, cap] = /backoff \(\*\*(\d+(?:\.\d+)?) s\*\*\s+base, \*\*(\d+) s\*\* cap\)/.exec(BEHAVIOUR) ?? [];
    expect([Number(base) * MS.s, Number(cap) * MS.s]).toEqual([DEFAULT_RETRY.baseDelayMs, DEFAULT_RETRY.maxDelayMs]);
    expect(/attempts \(at most \*\*(\d+)\*\*\)/.exec(BEHAVIOUR)?.[1]).toBe(String(DEFAULT_RETRY.maxAttempts));
  });
});

describe('nextDelay: full jitter', () => {
  test.each([
    [1, 0.5, 500],
    [1, 0.999, 999],
    [3, 1, 4_000],
    [6, 1, 20_000],
    [30, 0.25, 5_000],
    [2, 0, 0],
  ])('retry %i with random %d waits %d ms: up to min(cap, base * 2^n)', (attempt, random, delay) => {
    expect(nextDelay(attempt, DEFAULT_RETRY, random)).toBeCloseTo(delay, 6);
  });
});

describe('how long each class of error is retried', () => {
  /** Distinct windows, so that each class must read its own. */
  const retry: RetryOptions = { ...DEFAULT_RETRY, accessDeniedGraceMs: 1, faultGraceMs: 2, unresolvedHostGraceMs: 3 };

  test.each([
    ['throttling', Infinity],
    ['fault', 2],
    ['unresolvedHost', 3],
    ['accessDenied', 1],
    ['final', 0],
  ] as const)('%s: %d ms', (kind, windowMs) => {
    expect(retryWindowMs(kind, retry)).toBe(windowMs);
  });
});
