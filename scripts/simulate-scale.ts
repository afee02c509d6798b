/**
 * Scale by simulation: the real retry loop (readIdentity, with the production
 * DEFAULT_RETRY) of N lookups started within a few seconds of each other, and
 * of gates polling every 30 s, against an SES that admits 1 GetEmailIdentity a
 * second (a token bucket, SES's documented rate for control-plane calls) and
 * throttles the rest with TooManyRequestsException, as the SDK raises it.
 *
 * Time is virtual (a discrete-event clock): twelve minutes of 400 lookups
 * take about a second, and a seed makes a run repeatable.
 *
 *   npx ts-node --project tsconfig.dev.json scripts/simulate-scale.ts [--seed 1] [--sizes 1,50,400]
 */
import { parseArgs } from 'node:util';
import { TooManyRequestsException, type GetEmailIdentityCommandOutput } from '@aws-sdk/client-sesv2';
import type { Clock } from '../src/handler/cloudformation';
import { DEFAULT_RETRY, type RetryOptions } from '../src/handler/retry';
import { readIdentity, type IdentityReader } from '../src/handler/ses';
import { GATE_READ_MAX_WAIT_MS, LOOKUP_MAX_WAIT_MS } from '../src/shared/time-budgets';

export interface ScaleScenario {
  /** Lookups, each started at a random time within startSpreadMs. */
  readonly lookups: number;
  /** Gates, each waiting for an identity that verifies at a random time within verifyWithinMs. @default min(lookups, 10) */
  readonly gates?: number;
  /** @default 1 */
  readonly seed?: number;
  /** SES's rate, calls a second; also the bucket's size. @default 1 */
  readonly ratePerSecond?: number;
  /** @default 5 s */
  readonly startSpreadMs?: number;
  /** @default 30 s */
  readonly gatePollMs?: number;
  /** @default 10 minutes */
  readonly verifyWithinMs?: number;
  /** A gate's timeout. @default 45 minutes */
  readonly gateTimeoutMs?: number;
  /** One SES call's round trip. @default 60 ms */
  readonly callLatencyMs?: number;
  /** @default DEFAULT_RETRY */
  readonly retry?: RetryOptions;
}

export interface ScaleResult {
  readonly lookups: number;
  readonly gates: number;
  /** Lookups that failed (each has its deadline, LOOKUP_MAX_WAIT_MS). */
  readonly failedLookups: number;
  /** Gates that timed out. */
  readonly failedGates: number;
  /** From the first lookup's start to the last lookup's answer. */
  readonly makespanMs: number;
  /** The least it could take: one call a second for each lookup. */
  readonly idealMs: number;
  /** The longest a lookup took, from its own start: must stay below LOOKUP_MAX_WAIT_MS. */
  readonly slowestLookupMs: number;
  readonly sesCallsPerLookup: number;
  /** Time a lookup's invocation spends reading SES, mean. */
  readonly lambdaSecondsPerLookup: number;
  readonly sesCallsPerGate: number;
  /** SES calls of all kinds that were throttled. */
  readonly throttled: number;
}

/** Runs one scenario to its end, on virtual time. */
export async function simulateScale(scenario: ScaleScenario): Promise<ScaleResult> {
  const {
    lookups, gates = Math.min(lookups, 10), seed = 1, ratePerSecond = 1, startSpreadMs = 5_000, gatePollMs = 30_000,
    verifyWithinMs = 10 * 60_000, gateTimeoutMs = 45 * 60_000, callLatencyMs = 60, retry = DEFAULT_RETRY,
  } = scenario;
  const random = seededRandom(seed);
  const clock = new VirtualClock();
  const bucket = new TokenBucket(ratePerSecond, Math.max(1, ratePerSecond));
  const verifiedAt = new Map<string, number>();
  const calls = new Map<string, number>();

  const ses: IdentityReader = {
    send: async (command) => {
      const name = command.input.EmailIdentity ?? '';
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return bucket.call(clock, callLatencyMs, (): GetEmailIdentityCommandOutput => {
        const verified = clock.now() >= (verifiedAt.get(name) ?? 0);
        return { $metadata: { httpStatusCode: 200 }, IdentityType: 'DOMAIN', VerificationStatus: verified ? 'SUCCESS' : 'PENDING', VerifiedForSendingStatus: verified };
      });
    },
  };

  const lookupRuns = Array.from({ length: lookups }, (_, index) => ({ name: `lookup-${index}.example.com`, startAt: random() * startSpreadMs }));
  const gateRuns = Array.from({ length: gates }, (_, index) => ({
    name: `gate-${index}.example.com`,
    startAt: random() * startSpreadMs,
    verifiesAt: random() * verifyWithinMs,
  }));
  gateRuns.forEach((gate) => verifiedAt.set(gate.name, gate.verifiesAt));

  const lookupTimes: number[] = [];
  let failedLookups = 0;
  let lastAnswer = 0;
  const lookup = async ({ name, startAt }: { name: string; startAt: number }) => {
    await clock.sleep(startAt);
    const started = clock.now();
    try {
      await readIdentity(ses, name, LOOKUP_MAX_WAIT_MS, { retry, clock, random });
    } catch {
      failedLookups++;
    }
    lookupTimes.push(clock.now() - started);
    lastAnswer = Math.max(lastAnswer, clock.now());
  };

  let failedGates = 0;
  // A gate as the gate handler polls: a read of at most a minute, retried as
  // readIdentity retries; throttling beyond it only means waiting for the next poll.
  const gate = async ({ name, startAt }: { name: string; startAt: number }) => {
    await clock.sleep(startAt);
    const started = clock.now();
    for (;;) {
      const identity = await readIdentity(ses, name, GATE_READ_MAX_WAIT_MS, { retry, clock, random }).catch(() => undefined);
      if (identity?.VerificationStatus === 'SUCCESS') {
        return;
      }
      if (clock.now() + gatePollMs > started + gateTimeoutMs) {
        failedGates++;
        return;
      }
      await clock.sleep(gatePollMs);
    }
  };

  await clock.runUntilSettled(Promise.all([...lookupRuns.map(lookup), ...gateRuns.map(gate)]));

  const callsOf = (names: string[]) => names.reduce((total, name) => total + (calls.get(name) ?? 0), 0);
  return {
    lookups,
    gates,
    failedLookups,
    failedGates,
    makespanMs: lastAnswer - Math.min(...lookupRuns.map((run) => run.startAt)),
    idealMs: (lookups / ratePerSecond) * 1000,
    slowestLookupMs: Math.max(0, ...lookupTimes),
    sesCallsPerLookup: callsOf(lookupRuns.map((run) => run.name)) / Math.max(1, lookups),
    lambdaSecondsPerLookup: lookupTimes.reduce((total, time) => total + time, 0) / Math.max(1, lookups) / 1000,
    sesCallsPerGate: callsOf(gateRuns.map((run) => run.name)) / Math.max(1, gates),
    throttled: bucket.throttled,
  };
}

/** Time that moves only from one pending sleep to the next, in order. */
export class VirtualClock implements Clock {
  private time = 0;
  private sequence = 0;
  private readonly pending: Array<{ at: number; sequence: number; wake: () => void }> = [];

  public now(): number {
    return this.time;
  }

  public sleep(ms: number): Promise<void> {
    return new Promise((wake) => {
      const entry = { at: this.time + Math.max(0, ms), sequence: this.sequence++, wake };
      // Kept sorted by time, then by order of sleeping: a run is repeatable.
      let index = this.pending.length;
      const after = (other: { at: number; sequence: number }) => other.at > entry.at || (other.at === entry.at && other.sequence > entry.sequence);
      while (index > 0 && after(this.pending[index - 1])) {
        index--;
      }
      this.pending.splice(index, 0, entry);
    });
  }

  /** Wakes sleepers in time order until `work` settles. */
  public async runUntilSettled<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const done = work.finally(() => {
      settled = true;
    });
    // Everything between two sleeps is promise jobs: one macrotask turn runs them all.
    const drain = () => new Promise<void>((resolve) => setImmediate(resolve));
    await drain();
    while (!settled) {
      const next = this.pending.shift();
      if (!next) {
        throw new Error('Nothing left to wake, and the work is not done: something waits on real time');
      }
      this.time = next.at;
      next.wake();
      await drain();
    }
    return done;
  }
}

/** Admits a call when a token is there; tokens refill at `ratePerSecond` up to `capacity`. */
export class TokenBucket {
  /** Calls refused so far. */
  public throttled = 0;
  private tokens: number;
  private updatedAt = 0;

  constructor(private readonly ratePerSecond: number, private readonly capacity: number) {
    this.tokens = capacity;
  }

  public take(now: number): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /**
   * One SES call of `latencyMs`, admitted or refused halfway through as SES's
   * rate decides: `answer()` when admitted, else SES's 429.
   */
  public async call<T>(clock: Clock, latencyMs: number, answer: () => T): Promise<T> {
    await clock.sleep(latencyMs / 2);
    const admitted = this.take(clock.now());
    await clock.sleep(latencyMs / 2);
    if (!admitted) {
      this.throttled++;
      throw new TooManyRequestsException({ message: 'Too many requests.', $metadata: { httpStatusCode: 429 } });
    }
    return answer();
  }
}

/** A small seeded PRNG (Park and Miller's minimal standard): numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  const modulus = 2_147_483_647;
  let state = (Math.abs(Math.floor(seed)) % (modulus - 1)) + 1;
  return () => {
    state = (state * 48_271) % modulus;
    return (state - 1) / (modulus - 1);
  };
}

/** Runs the scenarios of 1, 50 and 400 lookups (or `sizes`) and prints one table. */
export async function printScaleSimulation(options: { readonly sizes?: readonly number[]; readonly seed?: number } = {}): Promise<ScaleResult[]> {
  const { sizes = [1, 50, 400], seed = 1 } = options;
  const results: ScaleResult[] = [];
  for (const lookups of sizes) {
    results.push(await simulateScale({ lookups, seed }));
  }
  console.log(`\nScale, simulated: lookups started within 5 s, gates polling every 30 s, SES at 1 call/s, DEFAULT_RETRY, seed ${seed}`);
  const header = ['lookups', 'gates', 'failed', 'makespan s', 'makespan / (N/rate)', 'slowest s', 'SES calls/lookup', 'Lambda s/lookup', 'SES calls/gate', 'throttled'];
  const rows = results.map((result) => [
    String(result.lookups),
    String(result.gates),
    `${result.failedLookups}+${result.failedGates}`,
    (result.makespanMs / 1000).toFixed(1),
    (result.makespanMs / result.idealMs).toFixed(2),
    (result.slowestLookupMs / 1000).toFixed(1),
    result.sesCallsPerLookup.toFixed(1),
    result.lambdaSecondsPerLookup.toFixed(1),
    result.sesCallsPerGate.toFixed(1),
    String(result.throttled),
  ]);
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column].length)));
  for (const row of [header, widths.map((width) => '-'.repeat(width)), ...rows]) {
    console.log(row.map((cell, column) => cell.padStart(widths[column])).join('  '));
  }
  console.log(`(failed: lookups+gates; a lookup's deadline is ${LOOKUP_MAX_WAIT_MS / 60_000} minutes)`);
  return results;
}

if (require.main === module) {
  const { values } = parseArgs({ options: { seed: { type: 'string', default: '1' }, sizes: { type: 'string', default: '1,50,400' } } });
  printScaleSimulation({ seed: Number(values.seed), sizes: values.sizes.split(',').map(Number) }).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
