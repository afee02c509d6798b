/**
 * The gate: waits until an identity meets its conditions, and explains a
 * failure with the statuses SES reports and what public DNS holds.
 */
import { Resolver } from 'node:dns/promises';
import { answerCloudFormation, type Answer, type Handler, type HandlerEvent, type Request } from './cloudformation';
import { DeadlineExceeded, failureReason, RetriesExhausted, retryClass } from './failure-reason';
import { gatePhysicalId, parseGateProperties } from './properties';
import { describeStackStatus, isRollback, repeatsSucceededProperties, type RollbackOptions } from './rollback';
import { createReader, type EmailIdentityDescription, type SesReaderOptions } from './ses';
import { dkimCnameRecord, dkimCnameZone, mailFromRecords, type SesDnsRecord } from '../shared/ses-dns';
import { DNS_CHECK_TIMEOUT_MS, GATE_READ_MAX_WAIT_MS, GATE_READ_MIN_WAIT_MS, MS_PER_SECOND } from '../shared/time-budgets';
import { GATE_RESOURCE_TYPE, GATE_STARTED_AT, type GateCondition, type GateData } from '../shared/wire';

/** Sends the event to the function again, asynchronously, so that a fresh invocation goes on waiting. */
export type ContinueLater = (functionArn: string, event: HandlerEvent) => Promise<void>;

export interface GateHandlerOptions extends SesReaderOptions, RollbackOptions {
  /** @default - a wait longer than one invocation fails, saying so */
  readonly continueLater?: ContinueLater;
  /** For the DNS check of a failed gate. @default the system's resolver */
  readonly resolver?: DnsResolver;
}

/**
 * The gate: polls SES until every condition holds, fails at once on a FAILED
 * status or an error that waiting will not fix, and hands a wait longer than
 * one invocation over to a fresh one, which answers in its place. A failure
 * explains itself with the statuses and what public DNS holds.
 */
export function createGateHandler(options: GateHandlerOptions = {}): Handler {
  const readerFor = createReader(options);
  const resolver = options.resolver ?? SYSTEM_RESOLVER;
  const stackStatus = options.stackStatus ?? describeStackStatus();
  return answerCloudFormation(GATE_RESOURCE_TYPE, async (request) => {
    const properties = parseGateProperties(request.event.ResourceProperties);
    if (typeof properties === 'string') {
      return request.fail(properties);
    }
    const { clock } = request;
    const reader = await readerFor(properties, request);
    const physicalId = gatePhysicalId(properties);
    const read = () => reader.read(Math.min(GATE_READ_MAX_WAIT_MS, request.remainingMs()));
    const passed = (identity: EmailIdentityDescription, waitedMs: number) => request.succeed(physicalId, gateData(identity, waitedMs));
    const explain = async (headline: string, identity: EmailIdentityDescription | undefined) => {
      if (!identity) {
        return headline;
      }
      const records = expectedRecords(identity, properties.EmailIdentity, reader.region);
      const dns = records.length > 0 ? ` DNS now: ${(await checkRecords(records, resolver)).join('; ')}.` : '';
      return `${headline} Statuses: ${describeStatuses(identity)}.${dns}`;
    };

    if (repeatsSucceededProperties(request.event, physicalId)) {
      // Only a rollback to a gate that passed sends these properties again: pass at once.
      return passed(await read().catch(() => ({})), 0);
    }
    // Other rollbacks are told by the stack's status: asked once, and only when the gate would wait or fail.
    let rollback: Promise<boolean> | undefined;
    const rollingBack = () => (rollback ??= isRollback(request, physicalId, stackStatus));

    // Polls are due every pollInterval from here, however long SES takes to answer and timers overshoot,
    // so that the last one falls at the timeout.
    let pollDueAt = clock.now();
    const startedAt = request.event[GATE_STARTED_AT] ?? pollDueAt;
    const name = JSON.stringify(properties.EmailIdentity);
    let waitingFor = 'no answer from SES yet';
    let lastSeen: EmailIdentityDescription | undefined;
    for (;;) {
      try {
        lastSeen = await read();
        const verdict = evaluate(lastSeen, properties.Conditions);
        if (verdict.state === 'passed') {
          return passed(lastSeen, clock.now() - startedAt);
        }
        if (await rollingBack()) {
          return passed(lastSeen, 0);
        }
        if (verdict.state === 'failed') {
          return request.fail(await explain(`Gate on ${name} failed: ${verdict.because}.`, lastSeen));
        }
        waitingFor = verdict.because;
      } catch (error) {
        if (await rollingBack()) {
          return passed(lastSeen ?? {}, 0);
        }
        if (isPermanent(error)) {
          return request.fail(failureReason(error, reader));
        }
        // Throttling or a passing fault: the next poll may do better.
        waitingFor = failureReason(error, reader);
      }

      // The next poll due from now on: a read that outlasted the interval skips the polls it missed.
      do {
        pollDueAt += properties.pollIntervalMs;
      } while (pollDueAt < clock.now());
      if (pollDueAt > startedAt + properties.timeoutMs) {
        const waited = Math.round((clock.now() - startedAt) / MS_PER_SECOND);
        return request.fail(await explain(`Gate on ${name} timed out after ${waited} s: ${waitingFor.replace(/\.$/, '')}.`, lastSeen));
      }
      if (properties.pollIntervalMs + GATE_READ_MIN_WAIT_MS > request.remainingMs()) {
        return handOver(request, startedAt, options.continueLater);
      }
      await clock.sleep(Math.max(0, pollDueAt - clock.now()));
    }
  }, options);
}

/** Sends the event to a fresh invocation, which goes on waiting and answers. */
async function handOver(request: Request, startedAt: number, continueLater: ContinueLater | undefined): Promise<Answer> {
  const { functionArn } = request;
  if (!functionArn || !continueLater) {
    return request.fail('The gate cannot wait longer than one invocation of this function: gates must be served by the gate function.');
  }
  try {
    await continueLater(functionArn, { ...request.event, [GATE_STARTED_AT]: startedAt });
    return { outcome: { status: 'WAITING' } };
  } catch (error) {
    return request.fail(`The gate could not hand over to a new invocation to go on waiting (${error instanceof Error ? error.message : String(error)}). Deploy again.`);
  }
}

/**
 * Errors that waiting for the next poll will not fix: those whose class was
 * already retried for its whole window, and answers that will not change.
 */
function isPermanent(failure: unknown): boolean {
  const error = failure instanceof RetriesExhausted ? failure.cause : failure;
  const kind = retryClass(error);
  // A poll that ran out of its own time may do better at the next; any other final answer will not.
  return kind === 'accessDenied' || kind === 'unresolvedHost' || (kind === 'final' && !(error instanceof DeadlineExceeded));
}

/** What one poll says of the conditions. */
type Verdict =
  | { readonly state: 'passed' }
  | { readonly state: 'failed'; readonly because: string }
  | { readonly state: 'waiting'; readonly because: string };

/**
 * Checks every condition against one GetEmailIdentity response. A FAILED
 * status fails at once; PENDING, NOT_STARTED and TEMPORARY_FAILURE wait.
 */
function evaluate(identity: EmailIdentityDescription, conditions: readonly GateCondition[]): Verdict {
  const unmet: string[] = [];
  for (const condition of conditions) {
    const verdict = check(identity, condition);
    if (verdict.state === 'failed') {
      return verdict;
    }
    if (verdict.state === 'waiting') {
      unmet.push(verdict.because);
    }
  }
  return unmet.length === 0 ? { state: 'passed' } : { state: 'waiting', because: unmet.join('; ') };
}

function check(identity: EmailIdentityDescription, condition: GateCondition): Verdict {
  switch (condition) {
    case 'IdentityVerified':
      return status('verification status', identity.VerificationStatus);
    case 'SendingEnabled':
      if (identity.VerifiedForSendingStatus === true) {
        return { state: 'passed' };
      }
      return identity.VerificationStatus === 'FAILED'
        ? { state: 'failed', because: 'the identity is not verified for sending and its verification FAILED' }
        : { state: 'waiting', because: 'the identity is not verified for sending yet' };
    case 'DkimVerified':
      return status('DKIM status', identity.DkimAttributes?.Status);
    case 'MailFromVerified':
      if (!identity.MailFromAttributes?.MailFromDomain) {
        return { state: 'failed', because: 'the identity has no custom MAIL FROM domain to verify' };
      }
      return status('MAIL FROM status', identity.MailFromAttributes.MailFromDomainStatus);
  }
}

function status(what: string, value: string | undefined): Verdict {
  if (value === 'SUCCESS') {
    return { state: 'passed' };
  }
  if (value === 'FAILED') {
    return { state: 'failed', because: `${what} is FAILED` };
  }
  return { state: 'waiting', because: `${what} is ${value ?? 'not reported'}` };
}

/** The statuses a reason shows, whatever the conditions. */
function describeStatuses(identity: EmailIdentityDescription): string {
  const verification = identity.VerificationInfo;
  const parts = [
    `verification ${identity.VerificationStatus ?? 'unknown'}`,
    `verified for sending ${identity.VerifiedForSendingStatus ?? 'unknown'}`,
    `DKIM ${identity.DkimAttributes?.Status ?? 'unknown'}`,
    `MAIL FROM ${identity.MailFromAttributes?.MailFromDomainStatus ?? 'none'}`,
  ];
  if (verification?.ErrorType) {
    parts.push(`SES error type ${verification.ErrorType}`);
  }
  if (verification?.LastCheckedTimestamp) {
    parts.push(`last checked ${verification.LastCheckedTimestamp.toISOString()}`);
  }
  return parts.join(', ');
}

function gateData(identity: EmailIdentityDescription, waitedMs: number): GateData {
  return {
    VerificationStatus: identity.VerificationStatus ?? '',
    WaitedSeconds: String(Math.round(waitedMs / MS_PER_SECOND)),
  };
}

/** The DNS queries the check makes; the system's resolver by default, a stub in tests. */
export interface DnsResolver {
  resolveCname(name: string): Promise<string[]>;
  resolveMx(name: string): Promise<Array<{ priority: number; exchange: string }>>;
  resolveTxt(name: string): Promise<string[][]>;
}

/** The system's resolvers, with a short timeout: the check runs inside the answer's reserve. */
const SYSTEM_RESOLVER: DnsResolver = new Resolver({ timeout: DNS_CHECK_TIMEOUT_MS, tries: 1 });

/** The records SES needs for the identity's DKIM and MAIL FROM to verify. */
function expectedRecords(identity: EmailIdentityDescription, name: string, region: string): SesDnsRecord[] {
  const records: SesDnsRecord[] = [];
  const dkim = identity.DkimAttributes;
  if (identity.IdentityType !== 'EMAIL_ADDRESS' && dkim?.SigningAttributesOrigin === 'AWS_SES') {
    const zone = dkimCnameZone(dkim.SigningHostedZone, region);
    records.push(...(dkim.Tokens ?? []).map((token) => dkimCnameRecord(token, name, zone)));
  }
  const mailFrom = identity.MailFromAttributes?.MailFromDomain;
  if (mailFrom) {
    records.push(...mailFromRecords(mailFrom, region));
  }
  return records;
}

/**
 * What DNS says of each expected record: "ok", "missing", or what it holds
 * instead. Never throws: a DNS problem is part of the answer.
 */
async function checkRecords(records: readonly SesDnsRecord[], resolver: DnsResolver): Promise<string[]> {
  return Promise.all(records.map(async (record) => {
    const label = `${record.type} ${record.name}`;
    try {
      const found = await lookup(resolver, record);
      if (found.some((value) => matches(record, value))) {
        return `${label}: ok`;
      }
      return `${label}: wrong (has ${found.join(' | ') || 'nothing'}, SES expects ${record.value})`;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const missing = code === 'ENOTFOUND' || code === 'ENODATA';
      return missing ? `${label}: missing (SES expects ${record.value})` : `${label}: not checked (${code ?? 'DNS error'})`;
    }
  }));
}

async function lookup(resolver: DnsResolver, record: SesDnsRecord): Promise<string[]> {
  switch (record.type) {
    case 'CNAME':
      return resolver.resolveCname(record.name);
    case 'MX':
      return (await resolver.resolveMx(record.name)).map((mx) => `${mx.priority} ${mx.exchange}`);
    case 'TXT':
      return (await resolver.resolveTxt(record.name)).map((chunks) => chunks.join(''));
  }
}

function matches(record: SesDnsRecord, found: string): boolean {
  const normalize = (value: string) => value.toLowerCase().replace(/\.$/, '');
  return record.type === 'TXT' ? found.startsWith('v=spf1') && found.includes('include:amazonses.com') : normalize(found) === normalize(record.value);
}
