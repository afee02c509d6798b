/**
 * How many identities one monitor run reads, by simulation: the real monitor
 * handler (createMonitorHandler, with the production DEFAULT_RETRY, its one
 * read a second, its fair share per identity and its reserve to publish) on
 * a virtual clock, against the token-bucket SES of simulate-scale.ts (one
 * GetEmailIdentity a second, the rest throttled), alone or sharing SES with
 * gates that poll every 30 s. DNS answers every record, after 20 ms.
 *
 *   npx ts-node --project tsconfig.dev.json scripts/simulate-monitor.ts [--sizes 100,400,1000] [--gates 0,10]
 */
import { parseArgs } from 'node:util';
import type { GetEmailIdentityCommandOutput } from '@aws-sdk/client-sesv2';
import { seededRandom, TokenBucket, VirtualClock } from './simulate-scale';
import type { DnsResolver } from '../src/handler/identity-health';
import { createMonitorHandler, type HealthPoint } from '../src/handler/monitor';
import { readIdentity, type SesClient } from '../src/handler/ses';
import { FUNCTION_TIMEOUT_SECONDS, GATE_READ_MAX_WAIT_MS } from '../src/shared/time-budgets';

export interface MonitorRunResult {
  readonly identities: number;
  readonly gates: number;
  readonly published: number;
  /** Identities the run tried and could not read (retries exhausted), or never reached. */
  readonly unread: number;
  readonly runSeconds: number;
  readonly throttled: number;
}

const CALL_LATENCY_MS = 60;
const DNS_LATENCY_MS = 20;

export async function simulateMonitorRun(identities: number, gates: number, seed = 1): Promise<MonitorRunResult> {
  const clock = new VirtualClock();
  const random = seededRandom(seed);
  const bucket = new TokenBucket(1, 1);
  const ses: SesClient = {
    config: { region: async () => 'eu-west-1' },
    send: async () => bucket.call(clock, CALL_LATENCY_MS, (): GetEmailIdentityCommandOutput => ({
      $metadata: { httpStatusCode: 200 },
      IdentityType: 'DOMAIN',
      VerificationStatus: 'SUCCESS',
      VerifiedForSendingStatus: true,
      DkimAttributes: { Status: 'SUCCESS', SigningAttributesOrigin: 'AWS_SES', Tokens: ['a', 'b', 'c'], SigningHostedZone: 'dkim.amazonses.com' },
    })),
  };
  const resolver: DnsResolver = {
    resolveCname: async (name) => {
      await clock.sleep(DNS_LATENCY_MS);
      return [`${name.split('.')[0]}.dkim.amazonses.com`];
    },
    resolveMx: async () => [],
    resolveTxt: async () => [],
  };
  const points: HealthPoint[] = [];
  const handler = createMonitorHandler({
    client: ses,
    clock,
    resolver,
    log: () => undefined,
    publish: async (published) => {
      points.push(...published);
    },
  });
  const started = clock.now();
  const runTimeMs = FUNCTION_TIMEOUT_SECONDS * 1000;
  let running = true;
  const run = handler({
    Checks: ['IdentityVerified', 'SendingEnabled', 'DkimVerified', 'MailFromVerified', 'DnsRecords'],
    Identities: Array.from({ length: identities }, (_, index) => ({ EmailIdentity: `id-${index}.example.com` })),
    ScheduledTime: new Date(0).toISOString(),
    Account: '123456789012',
  }, { getRemainingTimeInMillis: () => runTimeMs - (clock.now() - started) }).finally(() => {
    running = false;
  });
  let end = 0;
  const timed = run.then(() => {
    end = clock.now();
  });
  // Gates of the same account polling while the run lasts, as the gate handler polls.
  const poll = async (index: number) => {
    await clock.sleep(random() * 30_000);
    while (running) {
      await readIdentity(ses, `gate-${index}.example.com`, GATE_READ_MAX_WAIT_MS, { clock, random }).catch(() => undefined);
      await clock.sleep(30_000);
    }
  };
  await clock.runUntilSettled(Promise.all([timed, ...Array.from({ length: gates }, (_, index) => poll(index))]));
  return {
    identities, gates, published: points.length, unread: identities - points.length, runSeconds: (end - started) / 1000, throttled: bucket.throttled,
  };
}

/** The table of runs of `sizes` identities, alone and beside each count of `gates`. */
export async function printMonitorSimulation(
  options: { readonly sizes?: readonly number[]; readonly gates?: readonly number[] } = {},
): Promise<MonitorRunResult[]> {
  const { sizes = [1, 100, 400, 870, 1000], gates = [0, 10] } = options;
  const results: MonitorRunResult[] = [];
  for (const gateCount of gates) {
    for (const size of sizes) {
      results.push(await simulateMonitorRun(size, gateCount));
    }
  }
  console.log(`\nOne monitor run, simulated: SES at 1 call/s, DEFAULT_RETRY, a ${FUNCTION_TIMEOUT_SECONDS / 60}-minute function, gates polling every 30 s beside it`);
  console.log('identities  gates  published  unread  run s  throttled');
  for (const result of results) {
    console.log([result.identities, result.gates, result.published, result.unread, result.runSeconds.toFixed(0), result.throttled]
      .map((cell, column) => String(cell).padStart([10, 5, 9, 6, 5, 9][column])).join('  '));
  }
  return results;
}

if (require.main === module) {
  const { values } = parseArgs({ options: { sizes: { type: 'string', default: '1,100,400,870,1000' }, gates: { type: 'string', default: '0,10' } } });
  printMonitorSimulation({ sizes: values.sizes.split(',').map(Number), gates: values.gates.split(',').map(Number) }).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
