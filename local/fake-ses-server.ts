/**
 * A local stand-in for the SES v2 API on 127.0.0.1: it answers
 * GetEmailIdentity the way SES does on the wire (REST-JSON), so that the real
 * @aws-sdk/client-sesv2 can be pointed at it with `endpoint` or the
 * AWS_ENDPOINT_URL_SESV2 environment variable. It can also script faults and
 * throttle, and play the rest of the fake account: STS AssumeRole (lookups in
 * other accounts) and GetCallerIdentity, CloudFormation DescribeStacks
 * (rollbacks), Cloud Control's GetResource (the CDK CLI's synth-time
 * lookups) and CloudWatch's PutMetricData (the monitor; fake-cloudwatch.ts),
 * for tests, the demo and the benchmark.
 */
import { createHash, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GetEmailIdentityCommandOutput } from '@aws-sdk/client-sesv2';
import { FakeCloudWatch } from './fake-cloudwatch';

/**
 * A GetEmailIdentity response body as SES sends it: the SDK's own output type
 * (so a field SES adds is here once the SDK has it), with timestamps as epoch
 * seconds (the REST-JSON default; the SDK turns them into Dates) and enums as
 * any string (SES's enums grow, and an unknown value must pass through).
 */
export type EmailIdentityBody = OnTheWire<Omit<GetEmailIdentityCommandOutput, '$metadata'>>;

/** A type as JSON carries it: Dates as epoch seconds, string unions as strings, any field left out. */
type OnTheWire<T> = T extends Date ? number
  : T extends string ? string
    : T extends ReadonlyArray<infer U> ? Array<OnTheWire<U>>
      : T extends object ? { [K in keyof T]?: OnTheWire<T[K]> }
        : T;

/** An error SES can answer with, e.g. `{ status: 429, errorType: 'TooManyRequestsException' }`. */
export interface ErrorStep {
  readonly status: number;
  readonly errorType: string;
  readonly message?: string;
}

/**
 * What to do with one request: answer with an error; `'hang'` (accept it and
 * never answer); `'malformed'` (200 with a body that is not JSON); or `'ok'`
 * (answer as usual).
 */
export type FaultStep = ErrorStep | 'hang' | 'malformed' | 'ok';

export interface FakeSesServerOptions {
  /** Answer 429 TooManyRequestsException to requests beyond this many in any one second. */
  readonly maxRequestsPerSecond?: number;
}

const IDENTITY_PATH = /^\/v2\/email\/identities\/([^/]+)$/;

export class FakeSesServer {
  public static async start(options: FakeSesServerOptions = {}): Promise<FakeSesServer> {
    const fake = new FakeSesServer(options);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  private readonly identities = new Map<string, unknown>();
  private readonly scripts = new Map<string, FaultStep[]>();
  private readonly requested: string[] = [];
  private readonly signed: SignedRequest[] = [];
  private readonly roles = new Map<string, AssumableRole>();
  private readonly callers = new Map<string, string>();
  private readonly assumed: Array<{ roleArn: string; externalId?: string }> = [];
  private readonly stacks = new Map<string, string | ErrorStep>();
  private readonly described: string[] = [];
  private readonly describedIn: string[] = [];
  private readonly cloudControlRead: string[] = [];
  private readonly cloudControlFaults = new Map<string, { readonly after: number; readonly error: ErrorStep }>();
  /** Arrival times of the requests answered within the rate limit, for the sliding window. */
  private admitted: number[] = [];
  private readonly server = http.createServer((request, response) => this.handle(request, response));
  /** CloudWatch, for the monitor's metrics: point AWS_ENDPOINT_URL_CLOUDWATCH here. */
  public readonly cloudWatch = new FakeCloudWatch();

  private constructor(private readonly options: FakeSesServerOptions) {}

  /** Where to point the SDK: `http://127.0.0.1:PORT`. */
  public get endpoint(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Every identity name GetEmailIdentity was called with, decoded, in arrival order. */
  public get requests(): readonly string[] {
    return [...this.requested];
  }

  /** GetEmailIdentity calls with who signed them, for region and assumed-role checks. */
  public get signedRequests(): readonly SignedRequest[] {
    return [...this.signed];
  }

  /** Every STS AssumeRole call, in arrival order. */
  public get assumeRoleCalls(): ReadonlyArray<{ roleArn: string; externalId?: string }> {
    return [...this.assumed];
  }

  /**
   * Plays STS too (point AWS_ENDPOINT_URL_STS here): `roleArn` may be assumed,
   * with `externalId` if given, and by whom its `trustPolicy` lets in if given,
   * and yields credentials with `accessKeyId`. Anything else is AccessDenied.
   */
  public allowAssumeRole(roleArn: string, role: AssumableRole): this {
    this.roles.set(roleArn, role);
    return this;
  }

  /**
   * Says who signs with `accessKeyId` (`arn:aws:iam::<account>:role/<name>`),
   * for the roles whose trust policy STS checks.
   */
  public setCaller(accessKeyId: string, principalArn: string): this {
    this.callers.set(accessKeyId, principalArn);
    return this;
  }

  /**
   * Plays CloudFormation too (point AWS_ENDPOINT_URL_CLOUDFORMATION, or
   * AWS_ENDPOINT_URL, here): DescribeStacks on `stackId` answers `status`, or
   * the error; `''` answers the stack without a status.
   */
  public setStackStatus(stackId: string, status: string | ErrorStep): this {
    this.stacks.set(stackId, status);
    return this;
  }

  /** The region each DescribeStacks call was signed for (its SigV4 credential scope), in arrival order. */
  public get describeStacksRegions(): readonly string[] {
    return [...this.describedIn];
  }

  /** Every stack id DescribeStacks was called with, in arrival order. */
  public get describeStacksCalls(): readonly string[] {
    return [...this.described];
  }

  /** Every identifier Cloud Control's GetResource was called with, in arrival order. */
  public get cloudControlReads(): readonly string[] {
    return [...this.cloudControlRead];
  }

  /**
   * Cloud Control answers `error` to every read of `name` after the first
   * `after`. The CDK CLI reads once per query, the required one first, so
   * `after: 1` fails every optional query (DKIM, MAIL FROM, feedback, Easy
   * DKIM CNAMEs), each time the CLI asks, as a persistent access denial or
   * throttling would.
   */
  public failCloudControlReads(name: string, after: number, error: ErrorStep): this {
    this.cloudControlFaults.set(name, { after, error });
    return this;
  }

  /** Makes `name` exist, described by `body`: for SES, and for Cloud Control (see cloudControlModel). */
  public setIdentity(name: string, body: EmailIdentityBody): this {
    this.identities.set(name, body);
    return this;
  }

  /** Makes `name` exist, described by any JSON at all: for answers of the wrong shape. */
  public setMisshapenIdentity(name: string, body: unknown): this {
    this.identities.set(name, body);
    return this;
  }

  /**
   * Answers the next requests for `name` with `steps`, one per request, then
   * as usual. Scripted steps come before the rate limit and do not count in it.
   */
  public script(name: string, steps: readonly FaultStep[]): this {
    this.scripts.set(name, [...steps]);
    return this;
  }

  /** Stops listening and drops every connection, hanging ones included. */
  public stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    if (FakeCloudWatch.serves(request)) {
      this.cloudWatch.handle(request, response, signerOf(request).region);
      return;
    }
    if (request.headers['x-amz-target'] === 'CloudApiService.GetResource') {
      this.handleCloudControl(request, response);
      return;
    }
    if (request.method === 'POST' && new URL(request.url ?? '/', 'http://localhost').pathname === '/') {
      this.handleQuery(request, response);
      return;
    }
    const match = IDENTITY_PATH.exec(new URL(request.url ?? '/', 'http://localhost').pathname);
    if (request.method !== 'GET' || !match) {
      sendError(response, { status: 404, errorType: 'UnknownOperationException', message: `No operation at ${request.method} ${request.url}` });
      return;
    }
    // The SDK percent-encodes the label ('+' as %2B, '@' as %40, UTF-8 bytes).
    const name = decodeURIComponent(match[1]);
    this.requested.push(name);
    this.signed.push({ name, ...signerOf(request) });

    const step = this.scripts.get(name)?.shift() ?? (this.throttled() ? THROTTLED : 'ok');
    if (step === 'hang') {
      return; // The socket stays open until the client gives up or stop() runs.
    }
    if (step === 'malformed') {
      send(response, 200, '{"IdentityType":"DOMAIN","DkimAttributes":{"SigningEnabled":tr');
      return;
    }
    if (step !== 'ok') {
      sendError(response, step);
      return;
    }
    const identity = this.identities.get(name);
    if (identity === undefined) {
      sendError(response, { status: 404, errorType: 'NotFoundException', message: `Email identity ${name} does not exist.` });
      return;
    }
    send(response, 200, JSON.stringify(identity));
  }

  /** STS AssumeRole and CloudFormation DescribeStacks over the AWS query protocol: a form body in, XML out. */
  private handleQuery(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      if (form.get('Action') === 'DescribeStacks') {
        this.describedIn.push(signerOf(request).region);
        this.describeStacks(form.get('StackName') ?? '', response);
        return;
      }
      if (form.get('Action') === 'GetCallerIdentity') {
        send(response, 200, '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
          + `<Arn>arn:aws:iam::${FAKE_ACCOUNT}:user/local</Arn><UserId>AIDALOCAL</UserId><Account>${FAKE_ACCOUNT}</Account>`
          + `</GetCallerIdentityResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
        { 'content-type': 'text/xml' });
        return;
      }
      const roleArn = form.get('RoleArn') ?? '';
      const externalId = form.get('ExternalId') ?? undefined;
      this.assumed.push({ roleArn, externalId });
      const role = this.roles.get(roleArn);
      const caller = this.callers.get(signerOf(request).accessKeyId);
      const trusted = role?.trustPolicy === undefined || (caller !== undefined && trustLetsIn(role.trustPolicy, caller, externalId));
      if (form.get('Action') !== 'AssumeRole' || !role || role.externalId !== externalId || !trusted) {
        const message = `User is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;
        send(response, 403, stsError('AccessDenied', message), { 'content-type': 'text/xml' });
        return;
      }
      const durationProblem = sessionDurationProblem(form.get('DurationSeconds'), role);
      if (durationProblem) {
        send(response, 400, stsError('ValidationError', durationProblem), { 'content-type': 'text/xml' });
        return;
      }
      const sessionSeconds = Number(form.get('DurationSeconds') ?? SESSION_SECONDS.default);
      const expiration = new Date(Date.now() + sessionSeconds * 1000).toISOString();
      send(response, 200, [
        '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>',
        `<Credentials><AccessKeyId>${role.accessKeyId}</AccessKeyId><SecretAccessKey>assumed-secret</SecretAccessKey>`,
        `<SessionToken>assumed-session-token</SessionToken><Expiration>${expiration}</Expiration></Credentials>`,
        `<AssumedRoleUser><Arn>${roleArn}/ses-email-identity-lookup</Arn><AssumedRoleId>AROALOCAL:lookup</AssumedRoleId></AssumedRoleUser>`,
        `</AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
      ].join(''), { 'content-type': 'text/xml' });
    });
  }

  /** Cloud Control's GetResource (JSON 1.0), as the CDK CLI calls it for a synth-time lookup. */
  private handleCloudControl(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const { TypeName: typeName, Identifier: identifier } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { TypeName: string; Identifier: string };
      this.cloudControlRead.push(identifier);
      const identity = typeName === 'AWS::SES::EmailIdentity' ? this.identities.get(identifier) as EmailIdentityBody | undefined : undefined;
      const headers = { 'content-type': 'application/x-amz-json-1.0' };
      const fault = this.cloudControlFaults.get(identifier);
      if (fault && this.cloudControlRead.filter((read) => read === identifier).length > fault.after) {
        const { status, errorType, message = `${errorType} (scripted by the fake Cloud Control)` } = fault.error;
        send(response, status, JSON.stringify({ __type: errorType, Message: message }), { ...headers, 'x-amzn-errortype': errorType });
        return;
      }
      if (!identity) {
        const message = `AWS::SES::EmailIdentity Handler returned status FAILED: Email identity ${identifier} does not exist. (HandlerErrorCode: NotFound)`;
        send(response, 400, JSON.stringify({ __type: 'ResourceNotFoundException', Message: message }), { ...headers, 'x-amzn-errortype': 'ResourceNotFoundException' });
        return;
      }
      const properties = JSON.stringify(cloudControlModel(identifier, identity));
      send(response, 200, JSON.stringify({ TypeName: typeName, ResourceDescription: { Identifier: identifier, Properties: properties } }), headers);
    });
  }

  private describeStacks(stackId: string, response: http.ServerResponse): void {
    this.described.push(stackId);
    const status = this.stacks.get(stackId) ?? { status: 400, errorType: 'ValidationError', message: `Stack with id ${stackId} does not exist` };
    if (typeof status !== 'string') {
      send(response, status.status, stsError(status.errorType, status.message ?? status.errorType, CLOUDFORMATION_NAMESPACE), { 'content-type': 'text/xml' });
      return;
    }
    send(response, 200, [
      `<DescribeStacksResponse xmlns="${CLOUDFORMATION_NAMESPACE}"><DescribeStacksResult><Stacks><member>`,
      `<StackId>${stackId}</StackId><StackName>${stackId.split('/')[1] ?? stackId}</StackName>`,
      `<CreationTime>2026-01-01T00:00:00.000Z</CreationTime>${status ? `<StackStatus>${status}</StackStatus>` : ''}`,
      `</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></DescribeStacksResponse>`,
    ].join(''), { 'content-type': 'text/xml' });
  }

  /** Sliding one-second window over the requests let through. */
  private throttled(): boolean {
    const limit = this.options.maxRequestsPerSecond;
    if (limit === undefined) {
      return false;
    }
    const now = Date.now();
    this.admitted = this.admitted.filter((time) => now - time < 1000);
    if (this.admitted.length >= limit) {
      return true;
    }
    this.admitted.push(now);
    return false;
  }
}

/** The account the fake STS says the caller is in. */
export const FAKE_ACCOUNT = '123456789012';

/**
 * The resource model Cloud Control's read of AWS::SES::EmailIdentity gives
 * for an identity SES describes as `body`: our reading of the resource schema
 * (unconfirmed against a real account). The Easy DKIM CNAMEs are read-only
 * attributes only Easy DKIM identities have; the BYODKIM selector is
 * write-only and never read.
 */
function cloudControlModel(name: string, body: EmailIdentityBody): Record<string, unknown> {
  const dkim = body.DkimAttributes ?? {};
  const tokens = dkim.SigningAttributesOrigin === 'AWS_SES' ? dkim.Tokens ?? [] : [];
  const zone = dkim.SigningHostedZone ?? 'dkim.amazonses.com';
  return {
    EmailIdentity: name,
    DkimAttributes: { SigningEnabled: dkim.SigningEnabled ?? false },
    MailFromAttributes: {
      BehaviorOnMxFailure: body.MailFromAttributes?.BehaviorOnMxFailure ?? 'USE_DEFAULT_VALUE',
      ...(body.MailFromAttributes?.MailFromDomain ? { MailFromDomain: body.MailFromAttributes.MailFromDomain } : {}),
    },
    FeedbackAttributes: { EmailForwardingEnabled: body.FeedbackForwardingStatus ?? true },
    ...(body.ConfigurationSetName ? { ConfigurationSetAttributes: { ConfigurationSetName: body.ConfigurationSetName } } : {}),
    ...Object.fromEntries(tokens.length === 3 ? tokens.flatMap((token, index) => [
      [`DkimDNSTokenName${index + 1}`, `${token}._domainkey.${name}`],
      [`DkimDNSTokenValue${index + 1}`, `${token}.${zone}`],
    ]) : []),
  };
}

/** A role that the fake STS lets be assumed. */
export interface AssumableRole {
  /** The access key id of the credentials it hands out. */
  readonly accessKeyId: string;
  /** The external id the trust policy requires. */
  readonly externalId?: string;
  /**
   * The role's trust policy, intrinsics resolved: when given, STS also lets
   * in only a caller (see setCaller) it allows, as IAM would for the
   * principals and conditions our roles use.
   */
  readonly trustPolicy?: TrustPolicy;
  /** The role's maximum session (IAM's MaxSessionDuration): 3600 to 43200 seconds, 3600 by default. */
  readonly maxSessionDurationSeconds?: number;
}

/** AssumeRole's DurationSeconds bounds, and its default (API_AssumeRole). */
const SESSION_SECONDS = { min: 900, max: 43_200, default: 3600 } as const;

/**
 * Why STS refuses `durationSeconds` (the form's text, absent for the default)
 * for `role`, as its ValidationError says it; undefined when it is accepted.
 * STS checks the parameter's range first (900 to 43,200), then the role's
 * maximum session.
 */
function sessionDurationProblem(durationSeconds: string | null, role: AssumableRole): string | undefined {
  const seconds = durationSeconds === null ? SESSION_SECONDS.default : Number(durationSeconds);
  const constraint = seconds < SESSION_SECONDS.min ? `greater than or equal to ${SESSION_SECONDS.min}`
    : seconds > SESSION_SECONDS.max ? `less than or equal to ${SESSION_SECONDS.max}`
      : undefined;
  if (constraint) {
    return `1 validation error detected: Value '${durationSeconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value ${constraint}`;
  }
  if (!Number.isInteger(seconds)) {
    // The SDK sends a number; STS's own wording for a value that is not a whole number is not known here.
    return `Value '${durationSeconds}' at 'durationSeconds' is not a whole number of seconds.`;
  }
  if (seconds > (role.maxSessionDurationSeconds ?? SESSION_SECONDS.default)) {
    return 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.';
  }
  return undefined;
}

/** A trust policy, as far as the fake STS reads it. */
export interface TrustPolicy {
  readonly Statement: ReadonlyArray<{
    readonly Effect: string;
    readonly Action: string | readonly string[];
    readonly Principal: { readonly AWS?: string | readonly string[]; readonly Service?: string | readonly string[] };
    readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
  }>;
}

/** Whether `policy` lets `callerArn` assume the role with `externalId`: an Allow whose principal and every condition match. */
export function trustLetsIn(policy: TrustPolicy, callerArn: string, externalId: string | undefined): boolean {
  const list = (value: string | readonly string[] | undefined): readonly string[] => (value === undefined ? [] : typeof value === 'string' ? [value] : value);
  const callerAccount = callerArn.split(':')[4];
  const context: Record<string, string | undefined> = { 'aws:PrincipalArn': callerArn, 'sts:ExternalId': externalId };
  const like = (pattern: string, value: string) => new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);
  const operators: Record<string, (expected: string, actual: string) => boolean> = {
    StringEquals: (expected, actual) => expected === actual,
    ArnEquals: (expected, actual) => expected === actual,
    StringLike: like,
    ArnLike: like,
  };
  return policy.Statement.some((statement) => {
    const principals = list(statement.Principal.AWS);
    const principalMatches = principals.some((principal) => principal === callerArn || principal === `arn:aws:iam::${callerAccount}:root` || principal === callerAccount);
    const conditionsHold = Object.entries(statement.Condition ?? {}).every(([operator, keys]) => {
      const test = operators[operator];
      if (!test) {
        throw new Error(`The fake STS does not know the condition operator ${operator}`);
      }
      return Object.entries(keys).every(([key, expected]) => {
        const actual = context[key];
        return actual !== undefined && list(expected).some((value) => test(value, actual));
      });
    });
    return statement.Effect === 'Allow' && list(statement.Action).includes('sts:AssumeRole') && principalMatches && conditionsHold;
  });
}

/** Who signed a request: the access key and the region of its SigV4 credential scope. */
export interface SignedRequest {
  readonly name: string;
  readonly accessKeyId: string;
  readonly region: string;
}

function signerOf(request: http.IncomingMessage): Omit<SignedRequest, 'name'> {
  // Authorization: AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, ...
  const scope = /Credential=([^/]+)\/[^/]+\/([^/]+)\//.exec(request.headers.authorization ?? '');
  return { accessKeyId: scope?.[1] ?? '', region: scope?.[2] ?? '' };
}

const CLOUDFORMATION_NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

/** An error as the query protocol sends it (STS's namespace unless another is given). */
function stsError(code: string, message: string, namespace = 'https://sts.amazonaws.com/doc/2011-06-15/'): string {
  return `<ErrorResponse xmlns="${namespace}"><Error><Type>Sender</Type><Code>${code}</Code>`
    + `<Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

const THROTTLED: ErrorStep = { status: 429, errorType: 'TooManyRequestsException', message: 'Too many requests.' };

function send(response: http.ServerResponse, status: number, body: string, headers: http.OutgoingHttpHeaders = {}): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(body);
}

/** Errors as SES sends them: the type in a header, the message in the body. */
function sendError(response: http.ServerResponse, error: ErrorStep): void {
  const message = error.message ?? `${error.errorType} (scripted by the fake SES server)`;
  send(response, error.status, JSON.stringify({ message }), { 'x-amzn-errortype': error.errorType });
}

/** Epoch seconds, as REST-JSON carries timestamps; fractions keep milliseconds. */
function epochSeconds(iso: string): number {
  return Date.parse(iso) / 1000;
}

/** A plausible Easy DKIM token: 32 characters of lowercase base32, stable per domain. */
function dkimToken(domain: string, index: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const digest = createHash('sha256').update(`${domain}#${index}`).digest();
  return Array.from(digest, (byte) => alphabet[byte % 32]).join('');
}

/** A verified domain identity with every field SES can return set. */
export function fullIdentity(domain: string): EmailIdentityBody {
  const policy = (sid: string, principal: string) => JSON.stringify({
    Version: '2012-10-17',
    Statement: [{
      Sid: sid,
      Effect: 'Allow',
      Principal: { AWS: principal },
      Action: ['ses:SendEmail', 'ses:SendRawEmail'],
      Resource: `arn:aws:ses:eu-west-1:123456789012:identity/${domain}`,
    }],
  });
  return {
    IdentityType: 'DOMAIN',
    VerificationStatus: 'SUCCESS',
    VerifiedForSendingStatus: true,
    FeedbackForwardingStatus: false,
    ConfigurationSetName: 'transactional',
    DkimAttributes: {
      SigningEnabled: true,
      Status: 'SUCCESS',
      Tokens: [0, 1, 2].map((index) => dkimToken(domain, index)),
      SigningHostedZone: 'dkim.amazonses.com',
      SigningAttributesOrigin: 'AWS_SES',
      NextSigningKeyLength: 'RSA_2048_BIT',
      CurrentSigningKeyLength: 'RSA_2048_BIT',
      LastKeyGenerationTimestamp: epochSeconds('2024-03-01T09:30:00.250Z'),
    },
    MailFromAttributes: {
      MailFromDomain: `mail.${domain}`,
      MailFromDomainStatus: 'SUCCESS',
      BehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
    },
    // Not in alphabetical order, so that sorting shows.
    Policies: {
      SendFromWebApp: policy('SendFromWebApp', 'arn:aws:iam::123456789012:role/web-app'),
      AllowPartnerAccount: policy('AllowPartnerAccount', '210987654321'),
    },
    Tags: [
      { Key: 'team', Value: 'messaging' },
      { Key: 'cost-center', Value: 'cc-042' },
    ],
    VerificationInfo: {
      LastCheckedTimestamp: epochSeconds('2024-06-02T12:00:05.500Z'),
      LastSuccessTimestamp: epochSeconds('2024-06-02T12:00:05Z'),
      ErrorType: 'DNS_SERVER_ERROR',
      SOARecord: {
        PrimaryNameServer: 'ns-1234.awsdns-56.org',
        AdminEmail: 'awsdns-hostmaster.amazon.com',
        SerialNumber: 2024060201,
      },
    },
  };
}

/** A verified domain as SES describes it: every check passed, no error type. */
export function verifiedIdentity(domain: string): EmailIdentityBody {
  const body = fullIdentity(domain);
  delete body.VerificationInfo?.ErrorType;
  return body;
}

/** A domain whose DNS records are not published yet: SES found no host for them and keeps checking. */
export function pendingIdentity(domain: string): EmailIdentityBody {
  const body = fullIdentity(domain);
  return {
    ...body,
    VerificationStatus: 'PENDING',
    VerifiedForSendingStatus: false,
    DkimAttributes: { ...body.DkimAttributes, Status: 'PENDING' },
    MailFromAttributes: { ...body.MailFromAttributes, MailFromDomainStatus: 'PENDING' },
    VerificationInfo: { LastCheckedTimestamp: epochSeconds('2024-06-02T12:00:05.500Z'), ErrorType: 'HOST_NOT_FOUND' },
  };
}

/** An identity SES describes with no fields at all. */
export function emptyIdentity(): EmailIdentityBody {
  return {};
}
