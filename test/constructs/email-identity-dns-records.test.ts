import { App, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { DmarcPolicy, EmailIdentityDnsRecords, EmailIdentityLookup, type EmailIdentityDnsRecordsProps } from '../../src';
import { LOOKUP_RESOURCE_TYPE } from '../../src/shared/wire';

const ENV = { account: '123456789012', region: 'eu-west-1' };

function setup(emailIdentity = 'example.com', zoneName = 'example.com') {
  const stack = new Stack(new App(), 'Stack', { env: ENV });
  const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z123', zoneName });
  const identity = new EmailIdentityLookup(stack, 'Identity', { emailIdentity });
  return { stack, zone, identity };
}

function lookupId(template: Template): string {
  return Object.keys(template.findResources(LOOKUP_RESOURCE_TYPE))[0];
}

const att = (id: string, name: string) => ({ 'Fn::GetAtt': [id, name] });

describe('EmailIdentityDnsRecords', () => {
  test('three Easy DKIM CNAMEs into the zone SES names, fully qualified', () => {
    const { stack, zone, identity } = setup();
    new EmailIdentityDnsRecords(stack, 'Records', { identity, hostedZone: zone });

    const template = Template.fromStack(stack);
    const id = lookupId(template);
    template.resourceCountIs('AWS::Route53::RecordSet', 3);
    for (const n of [1, 2, 3]) {
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        HostedZoneId: 'Z123',
        Type: 'CNAME',
        TTL: '1800',
        Name: { 'Fn::Join': ['', [att(id, `DkimToken${n}`), '._domainkey.example.com.']] },
        ResourceRecords: [{ 'Fn::Join': ['', [att(id, `DkimToken${n}`), '.', att(id, 'DkimCnameDomain')]] }],
      });
    }
    // The lookup fails with a clear reason if the identity cannot have these records.
    template.hasResourceProperties(LOOKUP_RESOURCE_TYPE, { Requirements: ['EasyDkimRecords'] });
  });

  test('a subdomain identity in its parent zone: names end once in the zone', () => {
    const { stack, zone, identity } = setup('mail.example.com', 'example.com');
    new EmailIdentityDnsRecords(stack, 'Records', { identity, hostedZone: zone });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: { 'Fn::Join': ['', [att(lookupId(template), 'DkimToken1'), '._domainkey.mail.example.com.']] },
    });
  });

  test('MAIL FROM: one MX to the identity region\'s feedback endpoint and the SPF record', () => {
    const { stack, zone, identity } = setup();
    new EmailIdentityDnsRecords(stack, 'Records', { identity, hostedZone: zone, dkim: false, mailFrom: true, ttl: Duration.minutes(5) });

    const template = Template.fromStack(stack);
    const id = lookupId(template);
    template.resourceCountIs('AWS::Route53::RecordSet', 2);
    const name = { 'Fn::Join': ['', [att(id, 'MailFromDomain'), '.']] };
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: name, Type: 'MX', TTL: '300', ResourceRecords: ['10 feedback-smtp.eu-west-1.amazonses.com'] });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: name, Type: 'TXT', ResourceRecords: ['"v=spf1 include:amazonses.com ~all"'] });
    template.hasResourceProperties(LOOKUP_RESOURCE_TYPE, { Requirements: ['MailFromRecords'] });
  });

  test('the MX follows the identity\'s region, not the stack\'s', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const identity = new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com', region: 'us-east-2' });
    const records = new EmailIdentityDnsRecords(stack, 'Records', { identity, dkim: false, mailFrom: true });

    expect(stack.resolve(records.records[0].value)).toBe('10 feedback-smtp.us-east-2.amazonses.com');
  });

  test('a DMARC record with the chosen policy and report address', () => {
    const { stack, zone, identity } = setup();
    new EmailIdentityDnsRecords(stack, 'Records', {
      identity,
      hostedZone: zone,
      dkim: false,
      dmarcPolicy: DmarcPolicy.QUARANTINE,
      dmarcReportEmail: 'dmarc@example.com',
    });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Route53::RecordSet', 1);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: '_dmarc.example.com.',
      Type: 'TXT',
      ResourceRecords: ['"v=DMARC1;p=quarantine;rua=mailto:dmarc@example.com"'],
    });
    // No DKIM or MAIL FROM records asked for: nothing required of the identity.
    template.hasResourceProperties(LOOKUP_RESOURCE_TYPE, { Requirements: Match.absent() });
  });

  test('a report address written as DMARC writes it, a mailto: URI, gives one mailto: in the record', () => {
    for (const reportEmail of ['mailto:dmarc@example.com', 'MAILTO:dmarc@example.com']) {
      const { stack, zone, identity } = setup();
      const records = new EmailIdentityDnsRecords(stack, 'Records', {
        identity,
        hostedZone: zone,
        dkim: false,
        dmarcPolicy: DmarcPolicy.QUARANTINE,
        dmarcReportEmail: reportEmail,
      });

      expect(records.records.map((record) => record.value)).toEqual(['"v=DMARC1;p=quarantine;rua=mailto:dmarc@example.com"']);
      Template.fromStack(stack).hasResourceProperties('AWS::Route53::RecordSet', {
        Name: '_dmarc.example.com.',
        ResourceRecords: ['"v=DMARC1;p=quarantine;rua=mailto:dmarc@example.com"'],
      });
    }
  });

  test('a DMARC record over 255 characters is split into TXT strings of at most 255, as Route53 requires', () => {
    const { stack, zone, identity } = setup();
    const reportEmail = `${'r'.repeat(64)}@${['a', 'b', 'c'].map((c) => c.repeat(60)).join('.')}.example.com`;
    const records = new EmailIdentityDnsRecords(stack, 'Records', {
      identity,
      hostedZone: zone,
      dkim: false,
      dmarcPolicy: DmarcPolicy.REJECT,
      dmarcReportEmail: reportEmail,
    });

    const text = `v=DMARC1;p=reject;rua=mailto:${reportEmail}`;
    expect(text.length).toBeGreaterThan(255);
    const [{ value }] = records.records;
    expect(value).toBe(`"${text.slice(0, 255)}" "${text.slice(255)}"`);
    Template.fromStack(stack).hasResourceProperties('AWS::Route53::RecordSet', { Name: '_dmarc.example.com.', ResourceRecords: [value] });
    // Each string is quoted and within the limit, and together they are the record.
    const strings = [...value.matchAll(/"([^"]*)"/g)].map((match) => match[1]);
    expect(strings.every((part) => part.length <= 255)).toBe(true);
    expect(strings.join('')).toBe(text);
  });

  test('without a zone the records are data only, printable as an output', () => {
    const { stack, identity } = setup();
    const records = new EmailIdentityDnsRecords(stack, 'Records', { identity, mailFrom: true, dmarcPolicy: DmarcPolicy.NONE });
    new CfnOutput(stack, 'DnsRecords', { value: records.toZoneFile() });

    const template = Template.fromStack(stack);
    const id = lookupId(template);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    expect(records.records.map((record) => record.type)).toEqual(['CNAME', 'CNAME', 'CNAME', 'MX', 'TXT', 'TXT']);
    expect(stack.resolve(records.records[5])).toEqual({ name: '_dmarc.example.com.', type: 'TXT', value: '"v=DMARC1;p=none"' });
    const [separator, lines] = template.toJSON().Outputs.DnsRecords.Value['Fn::Join'];
    expect(separator).toBe('\n');
    expect(lines).toHaveLength(6);
    // Zone-file targets end with a dot: without one they are relative to $ORIGIN.
    expect(lines[0]).toEqual({
      'Fn::Join': ['', [att(id, 'DkimToken1'), '._domainkey.example.com. 1800 IN CNAME ', att(id, 'DkimToken1'), '.', att(id, 'DkimCnameDomain'), '.']],
    });
    expect(lines[3]).toEqual({
      'Fn::Join': ['', [att(id, 'MailFromDomain'), '. 1800 IN MX 10 feedback-smtp.eu-west-1.amazonses.com.']],
    });
    expect(lines[4]).toEqual({
      'Fn::Join': ['', [att(id, 'MailFromDomain'), '. 1800 IN TXT "v=spf1 include:amazonses.com ~all"']],
    });
    expect(lines[5]).toBe('_dmarc.example.com. 1800 IN TXT "v=DMARC1;p=none"');
    // The records as data stay as Route53 takes them, which treats targets as absolute.
    expect(stack.resolve(records.records[0].value)).toEqual({ 'Fn::Join': ['', [att(id, 'DkimToken1'), '.', att(id, 'DkimCnameDomain')]] });
    expect(records.records[3].value).toBe('10 feedback-smtp.eu-west-1.amazonses.com');
  });

  test('records is a copy: changing it changes neither the zone file nor the records created', () => {
    const { stack, zone, identity } = setup();
    const records = new EmailIdentityDnsRecords(stack, 'Records', { identity, hostedZone: zone, dkim: false, dmarcPolicy: DmarcPolicy.REJECT });

    records.records.push({ name: 'extra.example.com.', type: 'TXT', value: '"x"' });
    records.records.length = 0;

    expect(records.records).toHaveLength(1);
    expect(stack.resolve(records.toZoneFile())).toBe('_dmarc.example.com. 1800 IN TXT "v=DMARC1;p=reject"');
    Template.fromStack(stack).resourceCountIs('AWS::Route53::RecordSet', 1);
  });

  test('a zone imported by id only: the records are created, without the zone check', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const zone = route53.HostedZone.fromHostedZoneId(stack, 'Zone', 'Z123');
    const identity = new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com' });
    new EmailIdentityDnsRecords(stack, 'Records', { identity, hostedZone: zone, dkim: false, dmarcPolicy: DmarcPolicy.NONE });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Route53::RecordSet', 1);
    template.hasResourceProperties('AWS::Route53::RecordSet', { HostedZoneId: 'Z123', Name: '_dmarc.example.com.', Type: 'TXT' });
  });

  test.each([
    ['a mixed-case name in a lowercase zone', 'Example.com', 'example.com', 'example.com'],
    ['a lowercase name in a mixed-case zone', 'mail.example.com', 'Example.COM', 'mail.example.com'],
    ['an internationalized name in its Punycode zone', 'bücher.example', 'xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['a Punycode name in its Unicode zone', 'mail.xn--bcher-kva.example', 'Bücher.example', 'mail.xn--bcher-kva.example'],
  ])('accepts %s, with names in lowercase Punycode', (_, emailIdentity, zoneName, asciiDomain) => {
    const { stack, zone, identity } = setup(emailIdentity, zoneName);
    new EmailIdentityDnsRecords(stack, 'Records', { identity, hostedZone: zone, dmarcPolicy: DmarcPolicy.NONE });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: { 'Fn::Join': ['', [att(lookupId(template), 'DkimToken1'), `._domainkey.${asciiDomain}.`]] },
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: `_dmarc.${asciiDomain}.`, Type: 'TXT' });
  });

  test.each([
    ['an email address identity', 'sender@example.com', 'example.com', {}, /is an email address identity: it has no DKIM, MAIL FROM or DMARC records of its own/],
    ['an identity outside the zone', 'example.org', 'example.com', {}, /"example.org" is not inside the hosted zone "example.com"/],
    ['a zone name that only shares a suffix', 'badexample.com', 'example.com', {}, /not inside the hosted zone/],
    ['an internationalized name outside its zone', 'bücher.example', 'xn--bcher-kva.com', {}, /"bücher.example" is not inside the hosted zone "xn--bcher-kva.com"/],
    ['a report address without a policy', 'example.com', 'example.com', { dmarcReportEmail: 'd@example.com' }, /dmarcReportEmail "d@example.com" is only used with dmarcPolicy; set both or neither/],
  ])('rejects %s at synth time', (_, emailIdentity, zoneName, extra, message) => {
    const { stack, zone, identity } = setup(emailIdentity, zoneName);
    expect(() => new EmailIdentityDnsRecords(stack, 'Records', { identity, hostedZone: zone, ...extra })).toThrow(message);
  });

  test.each<[string, Partial<EmailIdentityDnsRecordsProps>]>([
    ['MAIL FROM turned on', { mailFrom: true }],
    ['DKIM turned off', { dkim: false }],
    ['DMARC added', { dmarcPolicy: DmarcPolicy.REJECT }],
    ['MAIL FROM on, DKIM off', { mailFrom: true, dkim: false }],
  ])('%s: records are only added or removed, never renamed (Route53 refuses a replacement while the old record exists)', (_, change) => {
    /** Each record's name and type by its logical id, from the records built with `props`. */
    const recordsOf = (props: Partial<EmailIdentityDnsRecordsProps>) => {
      const { stack, zone, identity } = setup();
      new EmailIdentityDnsRecords(stack, 'Records', { identity, hostedZone: zone, dmarcPolicy: DmarcPolicy.QUARANTINE, ...props });
      const records = Template.fromStack(stack).findResources('AWS::Route53::RecordSet');
      return new Map(Object.entries(records).map(([id, record]) => [id, JSON.stringify([record.Properties.Name, record.Properties.Type])]));
    };
    const before = recordsOf({});
    const after = recordsOf(change);

    const kept = [...before.keys()].filter((id) => after.has(id));
    expect(kept.length).toBeGreaterThan(0);
    for (const id of kept) {
      expect({ id, record: after.get(id) }).toEqual({ id, record: before.get(id) });
    }
    expect(new Set([...before.values()].filter((record) => [...after.values()].includes(record))).size).toBe(kept.length);
  });

  test('the same records twice in one zone: a synth error naming both constructs, not a deployment Route53 refuses', () => {
    const { stack, zone, identity } = setup();
    new EmailIdentityDnsRecords(stack, 'Records', { identity, hostedZone: zone });

    expect(() => new EmailIdentityDnsRecords(stack, 'MoreRecords', { identity, hostedZone: zone, dmarcPolicy: DmarcPolicy.REJECT })).toThrow(
      'Stack/MoreRecords: Stack/Records already creates the CNAME record (Dkim1) in hosted zone Stack/Zone, and Route53 would refuse the second at deploy time. '
      + 'Create an identity\'s records once per zone: one EmailIdentityDnsRecords with every option.');
    // Records without a zone, or of another kind, are no duplicates.
    new EmailIdentityDnsRecords(stack, 'AsData', { identity });
    new EmailIdentityDnsRecords(stack, 'Dmarc', { identity, hostedZone: zone, dkim: false, dmarcPolicy: DmarcPolicy.REJECT });
    expect(() => new EmailIdentityDnsRecords(stack, 'Dmarc2', { identity, hostedZone: zone, dkim: false, dmarcPolicy: DmarcPolicy.NONE })).toThrow(
      /^Stack\/Dmarc2: Stack\/Dmarc already creates the TXT record _dmarc\.example\.com\. in hosted zone Stack\/Zone/);
  });

  test('the TTL is the records\' in the zone file too', () => {
    const { stack, identity } = setup();
    const records = new EmailIdentityDnsRecords(stack, 'Records', { identity, dkim: false, dmarcPolicy: DmarcPolicy.REJECT, ttl: Duration.minutes(1) });

    expect(stack.resolve(records.toZoneFile())).toBe('_dmarc.example.com. 60 IN TXT "v=DMARC1;p=reject"');
  });
});

describe('across stacks', () => {
  test('records in a DNS stack read the identity through their own lookup: no export', () => {
    const app = new App();
    const appStack = new Stack(app, 'AppStack', { env: ENV });
    const dnsStack = new Stack(app, 'DnsStack', { env: ENV });
    const identity = new EmailIdentityLookup(appStack, 'Identity', { emailIdentity: 'example.com' });
    const zone = route53.HostedZone.fromHostedZoneAttributes(dnsStack, 'Zone', { hostedZoneId: 'Z123', zoneName: 'example.com' });
    new EmailIdentityDnsRecords(dnsStack, 'Records', { identity, hostedZone: zone });

    const appTemplate = Template.fromStack(appStack);
    const dnsTemplate = Template.fromStack(dnsStack);
    // Each stack reads the identity itself, with its own function.
    appTemplate.resourceCountIs(LOOKUP_RESOURCE_TYPE, 1);
    dnsTemplate.resourceCountIs(LOOKUP_RESOURCE_TYPE, 1);
    dnsTemplate.resourceCountIs('AWS::Lambda::Function', 1);
    dnsTemplate.resourceCountIs('AWS::Route53::RecordSet', 3);
    // Nothing crosses the stacks: no exports, no imports, no dependency.
    expect(appTemplate.toJSON().Outputs).toBeUndefined();
    expect(JSON.stringify(dnsTemplate.toJSON())).not.toContain('Fn::ImportValue');
    expect(dnsStack.dependencies).toEqual([]);
    // Only the DNS stack's lookup carries the DNS requirement.
    appTemplate.hasResourceProperties(LOOKUP_RESOURCE_TYPE, { Requirements: Match.absent() });
    dnsTemplate.hasResourceProperties(LOOKUP_RESOURCE_TYPE, { EmailIdentity: 'example.com', Requirements: ['EasyDkimRecords'] });
  });

  test('a copy in another region reads the identity in the original\'s region', () => {
    const app = new App();
    const sesStack = new Stack(app, 'Ses', { env: { account: '123456789012', region: 'eu-west-1' } });
    const dnsStack = new Stack(app, 'Dns', { env: { account: '123456789012', region: 'us-east-1' } });
    const identity = new EmailIdentityLookup(sesStack, 'Identity', { emailIdentity: 'example.com' });

    const copy = EmailIdentityLookup.of(identity, dnsStack);
    const records = new EmailIdentityDnsRecords(dnsStack, 'Records', { identity, dkim: false, mailFrom: true });

    expect(copy.identityRegion).toBe('eu-west-1');
    Template.fromStack(dnsStack).hasResourceProperties(LOOKUP_RESOURCE_TYPE, { EmailIdentity: 'example.com', Region: 'eu-west-1' });
    expect(dnsStack.resolve(records.records[0].value)).toBe('10 feedback-smtp.eu-west-1.amazonses.com');
  });

  test('a copy in another account needs a role to read the identity there', () => {
    const app = new App();
    const sesStack = new Stack(app, 'Ses', { env: { account: '111111111111', region: 'eu-west-1' } });
    const dnsStack = new Stack(app, 'Dns', { env: { account: '222222222222', region: 'eu-west-1' } });
    const identity = new EmailIdentityLookup(sesStack, 'Identity', { emailIdentity: 'example.com' });
    const withRole = new EmailIdentityLookup(sesStack, 'WithRole', {
      emailIdentity: 'example.org',
      assumeRoleArn: 'arn:aws:iam::111111111111:role/SesReader',
    });

    expect(() => EmailIdentityLookup.of(identity, dnsStack)).toThrow(/the identity lives in account 111111111111, and stack Dns is in account 222222222222: give the lookup a readerRole \(an EmailIdentityReaderRole in account 111111111111\), or an assumeRoleArn in account 111111111111, to read it from there/);
    expect(EmailIdentityLookup.of(withRole, dnsStack).identityAccount).toBe('111111111111');
  });

  test('of gives one lookup per stack, and the original in its own stack', () => {
    const app = new App();
    const first = new Stack(app, 'First');
    const second = new Stack(app, 'Second');
    const identity = new EmailIdentityLookup(first, 'Identity', { emailIdentity: 'example.com', region: 'us-east-2' });

    expect(EmailIdentityLookup.of(identity, first)).toBe(identity);
    const copy = EmailIdentityLookup.of(identity, second);
    expect(EmailIdentityLookup.of(identity, second)).toBe(copy);
    Template.fromStack(second).hasResourceProperties(LOOKUP_RESOURCE_TYPE, { EmailIdentity: 'example.com', Region: 'us-east-2' });
  });
});
