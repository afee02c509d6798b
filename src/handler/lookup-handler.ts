import { GetEmailIdentityCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { emailIdentityProblem } from '../shared/identity-name';
import { externalIdProblem, regionProblem, roleArnProblem } from '../shared/validation';
import { REQUIREMENTS, type LookupProperties, type Requirement } from '../shared/wire';
import { DeadlineExceeded, failureReason } from './failure-reason';
import { unmetRequirement } from './requirements';
import { acknowledgeBody, failureBody, sendResponse, successBody, type ResponseEnvelope } from './response';
import { SesClients, type RetryOptions } from './ses-clients';

export interface LookupHandlerOptions {
  /** One SES client for every lookup, for tests; by default one per region and role, see SesClients. */
  readonly client?: SESv2Client;
  /** @default DEFAULT_RETRY */
  readonly retry?: RetryOptions;
  /** Time kept back from the Lambda timeout to answer CloudFormation. @default 10 s */
  readonly reserveMs?: number;
  /** Where progress lines go; never receives the response URL. @default console.log */
  readonly log?: (line: string) => void;
}

export type LookupHandler = (event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<void>;

/**
 * The custom resource handler. Whatever happens, it answers CloudFormation:
 * Delete always succeeds without calling SES, and every failure becomes a
 * FAILED response with a reason, sent before the Lambda times out.
 */
export function createLookupHandler(options: LookupHandlerOptions = {}): LookupHandler {
  const clients = new SesClients(options.retry);
  const clientFor = (properties: LookupProperties) => options.client ?? clients.get(properties);
  const reserveMs = options.reserveMs ?? 10_000;
  const log = options.log ?? ((line: string) => console.log(line));

  return async (event, context) => {
    const deadline = Date.now() + context.getRemainingTimeInMillis() - reserveMs;
    const { body, outcome } = await respond(event, clientFor, deadline);
    log(JSON.stringify({
      requestType: event.RequestType,
      logicalResourceId: event.LogicalResourceId,
      emailIdentity: event.ResourceProperties?.EmailIdentity,
      ...outcome,
    }));
    await sendResponse(event.ResponseURL, body);
  };
}

interface Outcome {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly reason?: string;
}

async function respond(
  event: CloudFormationCustomResourceEvent,
  clientFor: (properties: LookupProperties) => SESv2Client,
  deadline: number,
): Promise<{ body: string; outcome: Outcome }> {
  const envelope = (physicalResourceId: string): ResponseEnvelope => ({
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    PhysicalResourceId: physicalResourceId,
  });
  const fail = (physicalResourceId: string, reason: string) => ({
    body: failureBody(envelope(physicalResourceId), reason),
    outcome: { status: 'FAILED' as const, reason },
  });

  switch (event.RequestType) {
    case 'Delete':
      // A lookup owns nothing: nothing to clean up, nothing that may fail.
      return { body: acknowledgeBody(envelope(event.PhysicalResourceId)), outcome: { status: 'SUCCESS' } };
    case 'Create':
    case 'Update': {
      // A failed Update keeps the resource it had; a failed Create has none yet.
      const previousId = event.RequestType === 'Update' ? event.PhysicalResourceId : event.RequestId;
      const parsed = parseProperties(event.ResourceProperties);
      if (typeof parsed === 'string') {
        return fail(previousId, parsed);
      }
      const properties = parsed;
      const client = clientFor(properties);
      const region = await client.config.region().catch(() => '');
      const scope = {
        emailIdentity: properties.EmailIdentity,
        region,
        account: accountOf(properties.AssumeRoleArn) ?? accountOf(event.StackId) ?? '',
        assumeRoleArn: properties.AssumeRoleArn,
      };
      try {
        const identity = await getEmailIdentity(client, properties.EmailIdentity, deadline);
        const unmet = unmetRequirement(identity, (properties.Requirements ?? []).filter(isRequirement), properties.EmailIdentity);
        if (unmet) {
          return fail(previousId, unmet);
        }
        // The identity names the resource: looking up another identity is a
        // replacement, and the old lookup's Delete is a no-op.
        const body = successBody(envelope(properties.EmailIdentity), identity, region);
        if (body === undefined) {
          return fail(previousId, `SES described ${JSON.stringify(properties.EmailIdentity)} with values too long to return within CloudFormation's 4096-byte response limit.`);
        }
        return { body, outcome: { status: 'SUCCESS' } };
      } catch (error) {
        return fail(previousId, failureReason(error, scope));
      }
    }
  }
}

/**
 * Validates properties as CloudFormation delivered them: strings and lists of
 * strings, possibly anything at all.
 *
 * @returns the properties, or a sentence naming the property that is wrong
 */
function parseProperties(raw: unknown): LookupProperties | string {
  if (!isRecord(raw)) {
    return 'The lookup received no resource properties; it needs EmailIdentity.';
  }
  const strings = ['EmailIdentity', 'Region', 'AssumeRoleArn', 'ExternalId', 'RefreshToken'] as const;
  const wrongType = strings.find((name) => raw[name] !== undefined && typeof raw[name] !== 'string');
  if (wrongType || raw.EmailIdentity === undefined) {
    const name = wrongType ?? 'EmailIdentity';
    return `Property ${name} must be a string, got ${describe(raw[name])}.`;
  }
  const { EmailIdentity, Region, AssumeRoleArn, ExternalId, RefreshToken, Requirements } = raw;
  if (Requirements !== undefined && !(Array.isArray(Requirements) && Requirements.every(isRequirement))) {
    return `Property Requirements must be a list of ${REQUIREMENTS.join(', ')}, got ${JSON.stringify(Requirements).slice(0, 100)}.`;
  }
  const properties: LookupProperties = {
    EmailIdentity: String(EmailIdentity),
    Region: optional(Region),
    AssumeRoleArn: optional(AssumeRoleArn),
    ExternalId: optional(ExternalId),
    RefreshToken: optional(RefreshToken),
    Requirements,
  };
  if (properties.ExternalId !== undefined && properties.AssumeRoleArn === undefined) {
    return 'Invalid properties: externalId is only used with assumeRoleArn; set both or neither.';
  }
  const problem = emailIdentityProblem(properties.EmailIdentity)
    ?? ifDefined(properties.Region, regionProblem)
    ?? ifDefined(properties.AssumeRoleArn, roleArnProblem)
    ?? ifDefined(properties.ExternalId, externalIdProblem);
  return problem ? `Invalid properties: ${problem}` : properties;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value already checked to be a string or undefined. */
function optional(value: unknown): string | undefined {
  return value === undefined ? undefined : String(value);
}

function ifDefined(value: string | undefined, check: (value: string) => string | undefined): string | undefined {
  return value === undefined ? undefined : check(value);
}

function isRequirement(value: unknown): value is Requirement {
  return REQUIREMENTS.some((requirement) => requirement === value);
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : Array.isArray(value) ? 'a list' : typeof value;
}

/** The account in an ARN (a stack id or a role ARN). */
function accountOf(arn: string | undefined): string | undefined {
  return arn?.split(':')[4] || undefined;
}

/** Calls SES, giving up at the deadline so that there is time left to answer. */
async function getEmailIdentity(client: SESv2Client, emailIdentity: string, deadline: number) {
  const abort = new AbortController();
  const waitMs = Math.max(0, deadline - Date.now());
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new DeadlineExceeded(waitMs));
    }, waitMs);
  });
  try {
    const { $metadata, ...identity } = await Promise.race([
      client.send(new GetEmailIdentityCommand({ EmailIdentity: emailIdentity }), { abortSignal: abort.signal }),
      timeout,
    ]);
    return identity;
  } finally {
    clearTimeout(timer);
  }
}
