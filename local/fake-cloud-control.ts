/**
 * A local stand-in for what the CDK CLI asks AWS during a synth-time lookup,
 * on 127.0.0.1: Cloud Control's GetResource (JSON 1.0) for
 * AWS::SES::EmailIdentity, and STS's GetCallerIdentity and AssumeRole (query
 * protocol; AssumeRole is always denied, as for an account without a
 * bootstrap lookup role, so the CLI goes on with the caller's credentials).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmailIdentityBody } from './fake-ses-server';

export const CLOUD_CONTROL_ACCOUNT = '123456789012';

/**
 * The resource model Cloud Control's read gives for an identity SES describes
 * as `body`: our reading of the resource schema (unconfirmed against a real
 * account). The Easy DKIM CNAMEs are read-only attributes that only Easy DKIM
 * identities have; the BYODKIM selector is write-only and never read.
 */
export function cloudControlModel(name: string, body: EmailIdentityBody): Record<string, unknown> {
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

export class FakeCloudControl {
  public static async start(): Promise<FakeCloudControl> {
    const fake = new FakeCloudControl();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** Every call, as `Service.Operation identifier`, in arrival order. */
  public readonly calls: string[] = [];
  private readonly models = new Map<string, Record<string, unknown>>();

  private readonly server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => this.answer(request, Buffer.concat(chunks).toString('utf8'), response));
  });

  private constructor() {}

  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Makes `name` exist, described as SES would describe it. */
  public setIdentity(name: string, body: EmailIdentityBody): this {
    this.models.set(name, cloudControlModel(name, body));
    return this;
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private answer(request: http.IncomingMessage, body: string, response: http.ServerResponse): void {
    const target = request.headers['x-amz-target'];
    if (target === 'CloudApiService.GetResource') {
      const { TypeName: typeName, Identifier: identifier } = JSON.parse(body) as { TypeName: string; Identifier: string };
      this.calls.push(`CloudControl.GetResource ${identifier}`);
      const model = typeName === 'AWS::SES::EmailIdentity' ? this.models.get(identifier) : undefined;
      if (!model) {
        const message = `AWS::SES::EmailIdentity Handler returned status FAILED: Email identity ${identifier} does not exist. (HandlerErrorCode: NotFound)`;
        return send(response, 400, 'application/x-amz-json-1.0', JSON.stringify({ __type: 'ResourceNotFoundException', Message: message }));
      }
      return send(response, 200, 'application/x-amz-json-1.0', JSON.stringify({
        TypeName: typeName,
        ResourceDescription: { Identifier: identifier, Properties: JSON.stringify(model) },
      }));
    }
    const action = new URLSearchParams(body).get('Action');
    this.calls.push(`STS.${action}`);
    if (action === 'GetCallerIdentity') {
      return send(response, 200, 'text/xml', '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
        + `<Arn>arn:aws:iam::${CLOUD_CONTROL_ACCOUNT}:user/local</Arn><UserId>AIDALOCAL</UserId><Account>${CLOUD_CONTROL_ACCOUNT}</Account>`
        + '</GetCallerIdentityResult><ResponseMetadata><RequestId>local</RequestId></ResponseMetadata></GetCallerIdentityResponse>');
    }
    return send(response, 403, 'text/xml', '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
      + `<Code>AccessDenied</Code><Message>${action} is not allowed here</Message></Error><RequestId>local</RequestId></ErrorResponse>`);
  }
}

function send(response: http.ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...(status >= 400 && contentType.includes('json') ? { 'x-amzn-errortype': 'ResourceNotFoundException' } : {}) });
  response.end(body);
}
