/**
 * Reading SES: the clients (one per region and role, with assumed-role
 * credentials), the answer's type and the check of its shape, and the read
 * that retries each class of error within a wait.
 */
import { GetEmailIdentityCommand, SESv2Client, type GetEmailIdentityCommandOutput } from '@aws-sdk/client-sesv2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { httpHandler, type CallTimeouts } from './aws-http';
import { SYSTEM_CLOCK, type AnswerOptions, type Clock, type Request } from './cloudformation';
import { AssumeRoleFailed, DeadlineExceeded, RetriesExhausted, UnexpectedShape } from './errors';
import { DEFAULT_RETRY, nextDelay, retryClass, retryWindowMs, type RetryClass, type RetryOptions } from './retry';
import { ATTRIBUTES, type ApiType } from '../shared/attributes';
import { ASSUMED_ROLE_SESSION_SECONDS, AWS_CALL_TIMEOUTS } from '../shared/time-budgets';
import { ARN_FIELD, type IdentityLocation } from '../shared/wire';

/** SES's answer to GetEmailIdentity, the parts we read: every field optional, as in the API. */
export type EmailIdentityDescription = Omit<GetEmailIdentityCommandOutput, '$metadata'>;

export interface SesReaderOptions extends AnswerOptions {
  /** One SES client for every request, for tests and simulations; by default one per region and role, see SesClients. */
  readonly client?: SesClient;
  /** @default DEFAULT_RETRY */
  readonly retry?: RetryOptions;
}

/** One request's way to SES: the identity's location, the region and account it resolves to, and a read that retries within a wait. */
export interface SesReader {
  readonly location: IdentityLocation;
  /** The client's region: the location's, or the function's own. */
  readonly region: string;
  /** The role's account, or else the stack's. */
  readonly account: string;
  read(maxWaitMs: number): Promise<EmailIdentityDescription>;
}

/** What lookups and gates share: clients kept across requests, and the retry policy. */
export function createReader(options: SesReaderOptions): (location: IdentityLocation, request: Request) => Promise<SesReader> {
  const readerAt = createLocationReader(options);
  // The stack's account, else the function's (an emulator's StackId is no ARN): the same thing.
  return (location, request) => readerAt(location, {
    log: request.log, clock: request.clock, account: accountOf(request.event.StackId) ?? accountOf(request.functionArn),
  });
}

/** What a read needs of its caller: where retries are logged, its clock, and the account it runs in (for the reason). */
export interface ReadContext {
  readonly log: (line: string) => void;
  readonly clock: Clock;
  readonly account?: string;
}

/** The reader of createReader, for a caller that is not a CloudFormation request (the monitor's schedule). */
export function createLocationReader(options: SesReaderOptions): (location: IdentityLocation, context: ReadContext) => Promise<SesReader> {
  const clients = new SesClients();
  const retry = options.retry ?? DEFAULT_RETRY;
  return async (location, context) => {
    const client = options.client ?? clients.get(location);
    return {
      location,
      region: await client.config.region().catch(() => ''),
      account: accountOf(location.AssumeRoleArn) ?? context.account ?? '',
      read: (maxWaitMs) => readIdentity(client, location.EmailIdentity, maxWaitMs, { retry, onRetry: context.log, clock: context.clock }),
    };
  };
}

/**
 * SES clients by region and role, kept for the life of the Lambda container
 * so that connections and assumed-role credentials are reused across requests.
 */
export class SesClients {
  private readonly clients = new Map<string, SESv2Client>();

  /** @param timeouts of each SES and STS call; shorter in tests */
  constructor(private readonly timeouts: CallTimeouts = AWS_CALL_TIMEOUTS) {}

  public get(location: IdentityLocation): SESv2Client {
    const key = JSON.stringify([location.Region, location.AssumeRoleArn, location.ExternalId]);
    let client = this.clients.get(key);
    if (!client) {
      client = new SESv2Client({
        // Absent: the function's own region.
        region: location.Region,
        credentials: location.AssumeRoleArn ? assumedRole(location.AssumeRoleArn, location.ExternalId, this.timeouts) : undefined,
        // readIdentity retries, each class of error for its own window.
        maxAttempts: 1,
        requestHandler: httpHandler(this.timeouts),
      });
      this.clients.set(key, client);
    }
    return client;
  }
}

/** Credentials of a role in the identity's account; the SDK refreshes them before they expire. */
function assumedRole(roleArn: string, externalId: string | undefined, timeouts: CallTimeouts) {
  // STS in the function's own region: the regional endpoint, not the global one.
  const sts = new STSClient({ requestHandler: httpHandler(timeouts) });
  return async () => {
    try {
      const { Credentials: credentials } = await sts.send(new AssumeRoleCommand({
        RoleArn: roleArn,
        ExternalId: externalId,
        RoleSessionName: 'ses-email-identity-lookup',
        DurationSeconds: ASSUMED_ROLE_SESSION_SECONDS,
      }));
      if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
        throw new Error('STS returned no credentials');
      }
      return {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        sessionToken: credentials.SessionToken,
        expiration: credentials.Expiration,
      };
    } catch (error) {
      throw new AssumeRoleFailed(error);
    }
  };
}

/** The account in an ARN (a stack id, a role or function ARN). */
function accountOf(arn: string | undefined): string | undefined {
  return arn?.split(':')[ARN_FIELD.account] || undefined;
}

/** What readIdentity needs of an SES client: an SESv2Client, or a stand-in in a simulation. */
export interface IdentityReader {
  send(command: GetEmailIdentityCommand, options: { abortSignal: AbortSignal }): Promise<GetEmailIdentityCommandOutput>;
}

/** What a reader needs of an SES client: its reads, and its region for the reasons. */
export type SesClient = IdentityReader & { readonly config: { region(): Promise<string> } };

export interface ReadOptions {
  /** @default DEFAULT_RETRY */
  readonly retry?: RetryOptions;
  /** Receives one JSON line per retry. */
  readonly onRetry?: (line: string) => void;
  /** @default the system clock */
  readonly clock?: Clock;
  /** A number in [0, 1) for the jitter. @default Math.random */
  readonly random?: () => number;
}

/**
 * Calls SES until it answers, retrying each class of error (see RetryClass)
 * with full-jitter backoff for as long as its window allows, and gives up
 * after maxWaitMs so that there is time left to answer CloudFormation.
 * Checks that the answer has the API's shape.
 *
 * The retries are ours, not the SDK's: its retry quota is per client, and a
 * Lambda container that serves many throttled lookups in a row would run it dry.
 */
export async function readIdentity(
  client: IdentityReader,
  emailIdentity: string,
  maxWaitMs: number,
  options: ReadOptions = {},
): Promise<EmailIdentityDescription> {
  const { retry = DEFAULT_RETRY, onRetry = () => undefined, clock = SYSTEM_CLOCK, random = Math.random } = options;
  const started = clock.now();
  const deadline = started + Math.max(0, maxWaitMs);
  const firstSeen = new Map<RetryClass, number>();
  for (let attempt = 1; ; attempt++) {
    const attemptStarted = clock.now();
    try {
      return await readOnce(client, emailIdentity, deadline - attemptStarted);
    } catch (error) {
      const now = clock.now();
      const kind = retryClass(error);
      // A class's window opens when the first call that met it started: a hang counts from its start.
      const since = firstSeen.get(kind) ?? attemptStarted;
      firstSeen.set(kind, since);
      const delay = nextDelay(attempt, retry, random());
      const retryAt = now + delay;
      if (attempt >= retry.maxAttempts || retryAt >= deadline || retryAt - since >= retryWindowMs(kind, retry)) {
        throw new RetriesExhausted(error, attempt, now - started);
      }
      onRetry(JSON.stringify({ retry: attempt, emailIdentity, class: kind, cause: causeOf(error), waitMs: Math.round(delay) }));
      await clock.sleep(delay);
    }
  }
}

async function readOnce(client: IdentityReader, emailIdentity: string, waitMs: number): Promise<EmailIdentityDescription> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new DeadlineExceeded());
    }, Math.max(0, waitMs));
  });
  try {
    const { $metadata, ...identity } = await Promise.race([
      client.send(new GetEmailIdentityCommand({ EmailIdentity: emailIdentity }), { abortSignal: abort.signal }),
      timeout,
    ]);
    const problem = shapeProblem(identity);
    if (problem) {
      throw new UnexpectedShape(problem);
    }
    return identity;
  } finally {
    clearTimeout(timer);
  }
}

/** What went wrong, in one line for the log. */
function causeOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error);
}

/** Each path the attributes read, once, with what it must be. */
const FIELDS: ReadonlyMap<string, ApiType> = new Map(ATTRIBUTES.map((row) => [row.path, row.apiType]));

/**
 * Where a response strays from the API's shape, or undefined. The SDK passes
 * through whatever an endpoint sends; a field of the wrong type must fail the
 * lookup with a reason, not turn into a wrong attribute.
 */
function shapeProblem(identity: EmailIdentityDescription): string | undefined {
  for (const [path, apiType] of FIELDS) {
    const parts = path.split('.');
    let value: unknown = identity;
    for (const [index, part] of parts.entries()) {
      if (value === undefined || value === null) {
        break;
      }
      if (typeof value !== 'object' || Array.isArray(value)) {
        return `${parts.slice(0, index).join('.')} is ${describe(value)}, not an object`;
      }
      value = (value as Record<string, unknown>)[part];
    }
    if (value !== undefined && value !== null && !isOfType(value, apiType)) {
      return `${path} is ${describe(value)}, not ${article(apiType)}`;
    }
  }
  return undefined;
}

function isOfType(value: unknown, apiType: ApiType): boolean {
  switch (apiType) {
    case 'string':
    case 'boolean':
    case 'number':
      return typeof value === apiType;
    case 'date':
      return value instanceof Date;
    case 'strings':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
    case 'tags':
      return Array.isArray(value) && value.every((tag) =>
        typeof tag === 'object' && tag !== null && typeof tag.Key === 'string' && typeof tag.Value === 'string');
    case 'policies':
      return typeof value === 'object' && !Array.isArray(value) && Object.values(value as object).every((body) => typeof body === 'string');
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) {
    return 'a list';
  }
  return value instanceof Date ? 'a date' : `a ${typeof value}`;
}

function article(apiType: ApiType): string {
  const articles: Record<ApiType, string> = {
    string: 'a string',
    boolean: 'a boolean',
    number: 'a number',
    date: 'a timestamp',
    strings: 'a list of strings',
    tags: 'a list of {Key, Value} strings',
    policies: 'a map of policy documents',
  };
  return articles[apiType];
}
