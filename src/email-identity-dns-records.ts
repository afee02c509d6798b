import { CfnResource, Duration, Fn, Stack, Token } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type * as ses from 'aws-cdk-lib/aws-ses';
import { Construct, type IConstruct } from 'constructs';
import { EmailIdentityLookup } from './email-identity-lookup';
import { DkimSigningKind, LookedUpEmailIdentity } from './looked-up-email-identity';
import { fail, requireProps } from './private/errors';
import { asciiDomain, emailAddressProblem, quoted } from './shared/identity-name';
import { dmarcRecord, mailFromRecords, RECORDS_PROBLEM, type SesDnsRecord } from './shared/ses-dns';

/**
 * A DNS record, as data: for stack outputs, or for DNS that CDK does not manage.
 */
export interface DnsRecord {
  /** Fully qualified name, with the trailing dot. */
  readonly name: string;
  /** `CNAME`, `MX` or `TXT`. */
  readonly type: string;
  /** The value as Route53 takes it (TXT values quoted). */
  readonly value: string;
}

/**
 * What a DMARC record asks receivers to do with mail that fails DMARC.
 */
export enum DmarcPolicy {
  /** Only report. */
  NONE = 'none',
  /** Treat as suspicious, such as deliver to spam. */
  QUARANTINE = 'quarantine',
  /** Reject. */
  REJECT = 'reject',
}

/**
 * Properties of `EmailIdentityDnsRecords`.
 */
export interface EmailIdentityDnsRecordsProps {
  /**
   * The domain identity: an `EmailIdentityLookup`, or any other
   * `aws_ses.IEmailIdentity`, such as an `aws_ses.EmailIdentity` this app
   * creates (with `Identity.domain()`: `Identity.publicHostedZone()` makes
   * aws-cdk-lib create the DKIM records itself).
   *
   * The records read the identity through a lookup in their own stack
   * (`EmailIdentityLookup.of`), so no stack exports a value that changes; a
   * lookup of an identity this app creates runs after the identity exists.
   */
  readonly identity: ses.IEmailIdentity;

  /**
   * The hosted zone to create the records in: the identity's domain or a
   * parent of it (`mail.example.com` in `example.com`).
   *
   * @default - no records are created; `records` still describes them
   */
  readonly hostedZone?: route53.IHostedZone;

  /**
   * Whether to create the three Easy DKIM CNAMEs. An identity that has none
   * (BYODKIM) fails: at deploy time through the lookup, at synth time for an
   * identity read with `EmailIdentityLookup.fromLookup`; either way the reason
   * names the TXT record to publish instead.
   *
   * @default true
   */
  readonly dkim?: boolean;

  /**
   * Whether to create the custom MAIL FROM records: one MX to the identity
   * region's feedback endpoint and an SPF TXT record. The lookup fails, with a
   * reason saying so, if the identity has no MAIL FROM domain; for an
   * identity read at synth time (`EmailIdentityLookup.fromLookup`), `true`
   * without one is a synth error.
   *
   * The default is whether the identity has a MAIL FROM domain where that is
   * known at synth time (an identity read by `fromLookup`), and `false`
   * elsewhere, since records are decided at synth time and a deploy-time
   * lookup only learns it when it runs.
   *
   * @default - whether the identity has a MAIL FROM domain, for one read at synth time; otherwise false
   */
  readonly mailFrom?: boolean;

  /**
   * A DMARC policy to publish at `_dmarc.<domain>`.
   *
   * @default - no DMARC record
   */
  readonly dmarcPolicy?: DmarcPolicy;

  /**
   * Where receivers send aggregate DMARC reports (`rua`): an email address.
   *
   * Written as an address (`dmarc@example.com`) or as DMARC writes it, a
   * `mailto:` URI (`mailto:dmarc@example.com`): the record holds one
   * `mailto:` either way. Other URI schemes are refused, since DMARC reports
   * go by email. Receivers only report to another domain than the
   * identity's if that domain allows it in DNS.
   *
   * @default - no reports
   */
  readonly dmarcReportEmail?: string;

  /**
   * Time to live of every record, in the hosted zone and in `toZoneFile()`.
   *
   * @default Duration.minutes(30)
   */
  readonly ttl?: Duration;
}

/**
 * The DNS records that make an SES domain identity work: Easy DKIM CNAMEs,
 * optionally the custom MAIL FROM MX and SPF records and a DMARC record,
 * created in a Route53 hosted zone or only described as data.
 *
 * Identities that cannot have such records fail clearly instead of producing
 * broken ones: an email-address identity at synth time when its name is
 * known; BYODKIM, DKIM replicas and a missing MAIL FROM domain through the
 * deploy-time lookup, whose failure reason says what to publish instead, or
 * at synth time for an identity read with `EmailIdentityLookup.fromLookup`.
 *
 * @example
 * declare const zone: route53.IHostedZone;
 * const identity = new EmailIdentityLookup(this, 'Identity', { emailIdentity: 'example.com' });
 * new EmailIdentityDnsRecords(this, 'Records', { identity, hostedZone: zone, mailFrom: true });
 */
export class EmailIdentityDnsRecords extends Construct {
  // Private so the Route53 records and `toZoneFile()` always describe the same set.
  private readonly recordList: DnsRecord[];
  private readonly ttlSeconds: number;

  constructor(scope: Construct, id: string, props: EmailIdentityDnsRecordsProps) {
    super(scope, id);
    requireProps(this, 'EmailIdentityDnsRecords', props, { identity: 'the domain identity whose records to publish' });

    notPublishedByAwsCdkLib(this, props);
    const records = props.identity instanceof LookedUpEmailIdentity
      ? this.synthTimeRecords(props.identity, props)
      : this.deployTimeRecords(EmailIdentityLookup.of(props.identity, this), props);
    const named = records.map(([recordId, record]) => [recordId, asRoute53Record(record)] as const);
    this.recordList = named.map(([, record]) => record);
    this.ttlSeconds = (props.ttl ?? DEFAULT_TTL).toSeconds();

    const zone = props.hostedZone;
    if (zone) {
      const ttl = String(this.ttlSeconds);
      named.forEach(([recordId, record]) => {
        notCreatedTwice(this, zone, recordId, record);
        // CfnRecordSet takes deploy-time names and values as they are; the
        // record helpers would append the zone name to them.
        new route53.CfnRecordSet(this, recordId, {
          hostedZoneId: zone.hostedZoneId,
          name: record.name,
          type: record.type,
          ttl,
          resourceRecords: [record.value],
        });
      });
    }
  }

  /** The records of an identity read at deploy time: tokens, and the lookup fails if the identity cannot have them. */
  private deployTimeRecords(identity: EmailIdentityLookup, props: EmailIdentityDnsRecordsProps): RecordWithId[] {
    const domain = this.domainOf(identity.emailIdentityName, props);
    const records: RecordWithId[] = [];
    if (props.dkim ?? true) {
      identity._require('EasyDkimRecords');
      records.push(...dkimWithIds(identity._dkimCnames));
    }
    if (props.mailFrom) {
      identity._require('MailFromRecords');
      records.push(...mailFromWithIds(identity.mailFromDomain, identity.identityRegion));
    }
    return records.concat(dmarcOf(domain, props));
  }

  /**
   * The records of an identity read at synth time: exactly what it has, or a
   * synth error saying what to publish instead. The CLI's first pass gives
   * dummy values, on which nothing may fail: the CLI reads the identity, then
   * synthesizes again.
   */
  private synthTimeRecords(identity: LookedUpEmailIdentity, props: EmailIdentityDnsRecordsProps): RecordWithId[] {
    const domain = this.domainOf(identity.emailIdentityName, props);
    const refuse = (problem: string) => {
      if (!identity._pending) {
        fail(this, problem);
      }
    };
    const records: RecordWithId[] = [];
    if (props.dkim ?? true) {
      switch (identity.dkimSigningKind) {
        case DkimSigningKind.EASY_DKIM:
          records.push(...dkimWithIds(identity.dkimRecords.map(({ name, value }): SesDnsRecord => ({ name, type: 'CNAME', value }))));
          break;
        case DkimSigningKind.BYODKIM:
          refuse(RECORDS_PROBLEM.byodkim(identity.emailIdentityName, domain, undefined));
          break;
        case DkimSigningKind.NONE:
          refuse(RECORDS_PROBLEM.notEasyDkim(identity.emailIdentityName, 0, undefined));
          break;
      }
    }
    if (identity.mailFromDomain && props.mailFrom !== false) {
      records.push(...mailFromWithIds(identity.mailFromDomain, identity.identityRegion));
    } else if (props.mailFrom) {
      refuse(RECORDS_PROBLEM.noMailFrom(identity.emailIdentityName));
    }
    return records.concat(dmarcOf(domain, props));
  }

  /** The identity's domain in lowercase Punycode, as Route53 takes names, after checking the props against it. */
  private domainOf(name: string, props: EmailIdentityDnsRecordsProps): string {
    validate(this, name, props);
    // A deploy-time name is used as it is.
    return Token.isUnresolved(name) ? name : asciiDomain(name);
  }

  /**
   * Every record, as data: a copy, so changing it changes neither the records
   * created nor `toZoneFile()`.
   */
  public get records(): DnsRecord[] {
    return [...this.recordList];
  }

  /**
   * The records as zone-file lines (`name TTL IN TYPE value`), one per line:
   * for a `CfnOutput` when DNS is managed elsewhere. `""` when there are no records.
   */
  public toZoneFile(): string {
    if (this.recordList.length === 0) {
      return '';
    }
    return Fn.join('\n', this.recordList.map((record) => {
      // In a zone file a CNAME or MX target without a final dot is relative to
      // $ORIGIN; Route53 takes it as absolute, so only the zone file gets the dot.
      const value = record.type === 'TXT' ? record.value : `${record.value}.`;
      return `${record.name} ${this.ttlSeconds} IN ${record.type} ${value}`;
    }));
  }
}

function validate(scope: Construct, domain: string, props: EmailIdentityDnsRecordsProps): void {
  const reportEmail = props.dmarcReportEmail;
  if (reportEmail !== undefined && !props.dmarcPolicy) {
    fail(scope, `dmarcReportEmail ${quoted(reportEmail)} is only used with dmarcPolicy; set both or neither.`);
  }
  if (reportEmail !== undefined && !Token.isUnresolved(reportEmail)) {
    // DMARC separates tags with ";" and URIs with ",", and "!" starts a size limit; a TXT
    // string cannot hold '"' or "\" unescaped, and its 255-character strings count bytes.
    const scheme = uriScheme(reportEmail);
    const address = reportAddress(reportEmail);
    const problem = (scheme !== undefined && scheme.toLowerCase() !== 'mailto'
      ? `dmarcReportEmail ${quoted(reportEmail)} is a URI of scheme ${scheme}: DMARC sends aggregate reports by email. `
        + 'Give an email address (dmarc@example.com) or a mailto: URI.'
      : undefined)
      ?? emailAddressProblem('dmarcReportEmail', address)
      ?? (/[;,!]/.test(address) ? `dmarcReportEmail ${quoted(reportEmail)} cannot be a DMARC report address: ";", "," and "!" have meanings in a DMARC record.` : undefined)
      ?? (/[^\x21-\x7e]|["\\]/.test(address)
        ? `dmarcReportEmail ${quoted(reportEmail)} cannot be a DMARC report address: it must be printable ASCII without '"' or "\\" (write an internationalized domain in its xn-- form).`
        : undefined);
    if (problem) {
      fail(scope, problem);
    }
  }
  if (Token.isUnresolved(domain)) {
    return;
  }
  if (domain.includes('@')) {
    fail(scope, RECORDS_PROBLEM.emailAddress(domain));
  }
  const zoneName = knownZoneName(props.hostedZone)?.replace(/\.$/, '');
  if (!zoneName || Token.isUnresolved(zoneName)) {
    return;
  }
  // DNS names compare case-insensitively, and Unicode and Punycode spellings are the same name.
  const domainName = asciiDomain(domain);
  const zone = asciiDomain(zoneName);
  if (domainName !== zone && !domainName.endsWith(`.${zone}`)) {
    fail(scope, `the identity ${JSON.stringify(domain)} is not inside the hosted zone ${JSON.stringify(zoneName)}: its records cannot go there.`);
  }
}

/**
 * aws-cdk-lib's EmailIdentity publishes the DKIM CNAMEs (and MAIL FROM
 * records) itself for `Identity.publicHostedZone()`: creating them again
 * would fail the deployment on records that already exist. Its records are
 * found by what they are, Route53 record sets of the identity, by type.
 */
function notPublishedByAwsCdkLib(scope: Construct, props: EmailIdentityDnsRecordsProps): void {
  const publishedTypes = new Set(props.identity.node.findAll().filter(isRecordSet).map((record) => record.type));
  const twice = [
    (props.dkim ?? true) && publishedTypes.has('CNAME') ? 'DKIM CNAMEs (set dkim: false)' : undefined,
    props.mailFrom && publishedTypes.has('MX') ? 'MAIL FROM records (leave mailFrom unset)' : undefined,
  ].filter(Boolean);
  if (twice.length > 0) {
    fail(scope, `${props.identity.node.path} publishes its own ${twice.join(' and ')}: aws-cdk-lib's EmailIdentity `
      + 'creates them for Identity.publicHostedZone(), and the same records twice fail the deployment. Or create the identity with Identity.domain().');
  }
}

/** The records' TTL unless `ttl` says otherwise. */
const DEFAULT_TTL = Duration.minutes(30);

/** A Route53 record set, found by its resource type. */
function isRecordSet(construct: IConstruct): construct is route53.CfnRecordSet {
  return CfnResource.isCfnResource(construct) && construct.cfnResourceType === route53.CfnRecordSet.CFN_RESOURCE_TYPE_NAME;
}

/**
 * Fails when another records construct of the stack already creates this
 * record in this zone: Route53 refuses the second at deploy time, after the
 * first was created. A lookup's attributes are the same tokens wherever the
 * stack uses them (one lookup per identity and stack), so the same identity
 * gives the same name.
 */
function notCreatedTwice(records: EmailIdentityDnsRecords, zone: route53.IHostedZone, id: string, record: DnsRecord): void {
  const twin = Stack.of(records).node.findAll().filter(isRecordSet).find((other) => other.node.scope instanceof EmailIdentityDnsRecords
    && other.node.scope !== records && other.hostedZoneId === zone.hostedZoneId && other.name === record.name && other.type === record.type);
  if (twin) {
    const name = Token.isUnresolved(record.name) ? `(${id})` : record.name;
    fail(records, `${twin.node.scope!.node.path} already creates the ${record.type} record ${name} in hosted zone ${zone.node.path}, `
      + 'and Route53 would refuse the second at deploy time. Create an identity\'s records once per zone: one EmailIdentityDnsRecords with every option.');
  }
}

function dmarcOf(domain: string, props: EmailIdentityDnsRecordsProps): RecordWithId[] {
  const reportEmail = props.dmarcReportEmail;
  return props.dmarcPolicy ? [['Dmarc', dmarcRecord(domain, props.dmarcPolicy, reportEmail === undefined ? undefined : reportAddress(reportEmail))]] : [];
}

/**
 * A record with its construct id, named by what the record is for: turning
 * one kind of record on or off never renames another. A renamed record would
 * be replaced, and Route53 refuses the new one while the old, of the same
 * name and type, still exists.
 */
type RecordWithId = readonly [id: string, record: SesDnsRecord];

function dkimWithIds(cnames: SesDnsRecord[]): RecordWithId[] {
  return cnames.map((record, index) => [`Dkim${index + 1}`, record]);
}

function mailFromWithIds(mailFromDomain: string, region: string): RecordWithId[] {
  const [mx, spf] = mailFromRecords(mailFromDomain, region);
  return [['MailFromMx', mx], ['MailFromSpf', spf]];
}

/**
 * The URI scheme a value starts with (`mailto` in `mailto:dmarc@example.com`),
 * or undefined: an unquoted local part cannot hold ":", so an address never has one.
 */
function uriScheme(value: string): string | undefined {
  return Token.isUnresolved(value) ? undefined : /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1];
}

/** The address of a report destination given as an address or as a `mailto:` URI; the record adds the one `mailto:`. */
function reportAddress(value: string): string {
  return uriScheme(value)?.toLowerCase() === 'mailto' ? value.slice('mailto:'.length) : value;
}

/** A record as Route53 takes it: a fully qualified name, TXT values quoted. */
function asRoute53Record(record: SesDnsRecord): DnsRecord {
  return { name: `${record.name}.`, type: record.type, value: record.type === 'TXT' ? txtStrings(record.value) : record.value };
}

/** The longest character string in a TXT record. */
const TXT_STRING_MAX = 255;

/**
 * TXT text as quoted strings of at most 255 characters each, as Route53 and
 * zone files take it: a longer DMARC record (a long report address) is split.
 * A deploy-time value is one string.
 */
function txtStrings(text: string): string {
  if (Token.isUnresolved(text)) {
    return `"${text}"`;
  }
  const strings = text.match(new RegExp(`[^]{1,${TXT_STRING_MAX}}`, 'g')) ?? [''];
  return strings.map((part) => `"${part}"`).join(' ');
}

/** The zone's name, or undefined when it cannot be known. */
function knownZoneName(zone: route53.IHostedZone | undefined): string | undefined {
  try {
    return zone?.zoneName;
  } catch {
    // `HostedZone.fromHostedZoneId()` zones have no name: their getter throws.
    return undefined;
  }
}
