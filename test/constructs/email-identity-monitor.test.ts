import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EmailIdentityLookup, EmailIdentityMonitor, EmailIdentityVerificationGate, IdentityCheck } from '../../src';

function setup() {
  const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const lookup = new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com' });
  const other = ses.EmailIdentity.fromEmailIdentityName(stack, 'Other', 'example.org');
  return { stack, lookup, other };
}

/** The schedule's target input, as the template holds it: the identities and checks, with the event's time and account filled in by EventBridge. */
function scheduleInput(template: Template): { paths: Record<string, string>; input: Record<string, unknown> } {
  const rules = Object.values(template.findResources('AWS::Events::Rule'));
  expect(rules).toHaveLength(1);
  const [target] = rules[0].Properties.Targets;
  const transformer = target.InputTransformer;
  return { paths: transformer.InputPathsMap, input: JSON.parse(transformer.InputTemplate.replace(/<(\w+)>/g, '"<$1>"')) };
}

/** Every action the stack's function role may take, from its policies. */
function roleActions(template: Template): string[] {
  const statements = Object.values(template.findResources('AWS::IAM::Policy'))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
    .concat(Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement));
  return [...new Set(statements.flatMap((statement) => [statement.Action].flat()))].sort();
}

describe('EmailIdentityMonitor', () => {
  test('hourly by default: one schedule runs the stack\'s monitor function with every identity and every check', () => {
    const { stack, lookup, other } = setup();
    new EmailIdentityMonitor(stack, 'Monitor', { identities: [lookup, other] });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SesIdentityLookupMonitorFn'), 'Arn'] }, RetryPolicy: { MaximumEventAgeInSeconds: 3600 } })],
    });
    expect(scheduleInput(template)).toEqual({
      paths: { time: '$.time', account: '$.account' },
      input: {
        Checks: ['IdentityVerified', 'SendingEnabled', 'DkimVerified', 'MailFromVerified', 'DnsRecords'],
        Identities: [{ EmailIdentity: 'example.com' }, { EmailIdentity: 'example.org' }],
        ScheduledTime: '<time>',
        Account: '<account>',
      },
    });
    // EventBridge may invoke it; Lambda does not retry a failed run, the next run reads again.
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SesIdentityLookupMonitorFn'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0, Qualifier: '$LATEST' });
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 900, Runtime: 'nodejs24.x', Description: Match.stringLikeRegexp('EmailIdentityMonitor') });
  });

  test('one alarm per identity: unmet checks or no data for three runs in a row, saying where to read why', () => {
    const { stack, lookup, other } = setup();
    const monitor = new EmailIdentityMonitor(stack, 'Monitor', { identities: [lookup, other] });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    for (const name of ['example.com', 'example.org']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'SES/EmailIdentity',
        MetricName: 'UnmetChecks',
        Dimensions: [{ Name: 'EmailIdentity', Value: name }],
        Statistic: 'Maximum',
        Period: 3600,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
        TreatMissingData: 'breaching',
        AlarmActions: Match.absent(),
        AlarmDescription: {
          'Fn::Join': ['', [
            Match.stringLikeRegexp(`^SES email identity ${name.replace('.', '\\.')}: checks unmet .* in 3 monitor runs in a row, or no data: the monitor stopped, or could not read the identity\\. Why: the log group $`),
            { Ref: Match.stringLikeRegexp('^SesIdentityLookupLogs') },
            `, one JSON line per identity and run; CloudWatch Logs Insights: fields @timestamp, unmetChecks, unmet, statuses, dns, reason | filter emailIdentity = "${name}" | sort @timestamp desc`,
          ]],
        },
      });
    }
    expect(monitor.alarms).toHaveLength(2);
    expect(monitor.alarmUnhealthy(other)).toBe(monitor.alarms[1]);
  });

  test('the alarm action, the interval, the runs to alarm and the checks are the user\'s', () => {
    const { stack, lookup } = setup();
    const topic = new sns.Topic(stack, 'Topic');
    new EmailIdentityMonitor(stack, 'Monitor', {
      identities: [lookup],
      interval: Duration.minutes(15),
      alarmAfterRuns: 2,
      checks: [IdentityCheck.DNS_RECORDS, IdentityCheck.DKIM_VERIFIED, IdentityCheck.DNS_RECORDS],
      alarmAction: new actions.SnsAction(topic),
    });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)', Targets: [Match.objectLike({ RetryPolicy: { MaximumEventAgeInSeconds: 900 } })] });
    expect(scheduleInput(template).input.Checks).toEqual(['DnsRecords', 'DkimVerified']);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Period: 900, EvaluationPeriods: 2, DatapointsToAlarm: 2, AlarmActions: [{ Ref: Match.stringLikeRegexp('^Topic') }],
    });
  });

  test('createAlarms: false leaves the metrics only', () => {
    const { stack, lookup } = setup();
    const monitor = new EmailIdentityMonitor(stack, 'Monitor', { identities: [lookup], createAlarms: false });

    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(monitor.alarms).toEqual([]);
    expect(() => monitor.alarmUnhealthy(lookup)).toThrow('Stack/Monitor: the monitor has no alarms (createAlarms is false); make one from metricUnhealthy(identity).');
  });

  test('metricUnhealthy: the identity\'s metric over the interval, for alarms and dashboards of one\'s own', () => {
    const { stack, lookup, other } = setup();
    const monitor = new EmailIdentityMonitor(stack, 'Monitor', { identities: [lookup], interval: Duration.hours(6) });

    const metric = monitor.metricUnhealthy(lookup);
    expect(metric).toBeInstanceOf(cloudwatch.Metric);
    const { namespace, metricName, dimensions, statistic } = metric;
    expect({ namespace, metricName, dimensions, statistic, period: metric.period.toHours() })
      .toEqual({ namespace: EmailIdentityMonitor.METRIC_NAMESPACE, metricName: 'UnmetChecks', dimensions: { EmailIdentity: 'example.com' }, statistic: 'Maximum', period: 6 });
    expect(monitor.metricUnhealthy(lookup, { period: Duration.days(1) }).period.toDays()).toBe(1);
    expect(() => monitor.metricUnhealthy(other)).toThrow("Stack/Monitor: Stack/Other is not one of the monitor's identities; add it to identities.");
  });

  test('least privilege: GetEmailIdentity on the watched identities, AssumeRole on the roles named, PutMetricData in the namespace only', () => {
    const { stack, lookup, other } = setup();
    const elsewhere = new EmailIdentityLookup(stack, 'Elsewhere', { emailIdentity: 'example.net', assumeRoleArn: 'arn:aws:iam::210987654321:role/SesReader' });
    new EmailIdentityMonitor(stack, 'Monitor', { identities: [lookup, other, elsewhere] });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('MonitorPublishesMetrics'),
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'SES/EmailIdentity' } } }] },
    });
    const policies = JSON.stringify(template.toJSON());
    // The identity policies' compact form: one prefix, then each name.
    expect(policies).toContain('"${P}example.com ${P}example.org"');
    expect(policies).toContain('":ses:eu-west-1:123456789012:identity/"');
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::210987654321:role/SesReader' }]) },
    });
    expect(scheduleInput(template).input.Identities).toEqual([
      { EmailIdentity: 'example.com' }, { EmailIdentity: 'example.org' }, { EmailIdentity: 'example.net', AssumeRoleArn: 'arn:aws:iam::210987654321:role/SesReader' },
    ]);
    expect(roleActions(template)).toEqual([
      'cloudformation:DescribeStacks', 'cloudwatch:PutMetricData', 'logs:CreateLogStream', 'logs:PutLogEvents', 'ses:GetEmailIdentity', 'sts:AssumeRole',
    ]);
  });

  test('a stack without a monitor has no monitor function, schedule or PutMetricData', () => {
    const { stack, lookup } = setup();
    new EmailIdentityVerificationGate(stack, 'Gate', { identity: lookup });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Events::Rule', 0);
    template.resourceCountIs('AWS::Lambda::Function', 2);
    expect(JSON.stringify(template.toJSON())).not.toContain('cloudwatch:PutMetricData');
  });

  test('one monitor function per stack, whatever the monitors; each monitor its own schedule', () => {
    const { stack, lookup, other } = setup();
    new EmailIdentityMonitor(stack, 'Hourly', { identities: [lookup] });
    new EmailIdentityMonitor(stack, 'Daily', { identities: [other], interval: Duration.days(1), alarmAfterRuns: 7 });
    new EmailIdentityVerificationGate(stack, 'Gate', { identity: lookup });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Events::Rule', 2);
    template.resourceCountIs('AWS::Lambda::Function', 3);
    expect(Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('EmailIdentityMonitor') } }))).toHaveLength(1);
    template.resourceCountIs('AWS::IAM::Role', 1);
  });

  test('an identity this app creates: the schedule starts once it exists', () => {
    const { stack } = setup();
    const created = new ses.EmailIdentity(stack, 'Created', { identity: ses.Identity.domain('new.example.com') });
    new EmailIdentityMonitor(stack, 'Monitor', { identities: [created] });

    const template = Template.fromStack(stack);
    template.hasResource('AWS::Events::Rule', { DependsOn: Match.arrayWith([Match.stringLikeRegexp('^Created')]) });
    expect(scheduleInput(template).input.Identities).toEqual([{ EmailIdentity: 'new.example.com' }]);
  });

  test('zero AwsSolutions findings, with nothing for the user to suppress', () => {
    const { stack, lookup, other } = setup();
    new EmailIdentityMonitor(stack, 'Monitor', { identities: [lookup, other], alarmAction: new actions.SnsAction(new sns.Topic(stack, 'Topic', { enforceSSL: true })) });

    const report = new AwsSolutionsChecks(stack).validateScope(stack.node.scope as App);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
  });

  test.each([
    ['no identities', { identities: [] }, 'Stack/Monitor: identities is empty: a monitor needs at least one identity to watch.'],
    ['no checks', { checks: [] }, 'Stack/Monitor: checks is empty: a monitor needs at least one check; leave checks out for all of them.'],
    ['an interval under 15 minutes', { interval: Duration.minutes(14) }, "Stack/Monitor: interval is 840 s; it must be whole minutes, from 15 minutes (a run may take the function's 15) to one day."],
    ['an interval of part minutes', { interval: Duration.seconds(1230) }, 'Stack/Monitor: interval is 1230 s; it must be whole minutes'],
    ['an interval over a day', { interval: Duration.minutes(24 * 60 + 1) }, 'Stack/Monitor: interval is 86460 s'],
    ['no runs to alarm', { alarmAfterRuns: 0 }, 'Stack/Monitor: alarmAfterRuns is 0; it must be a whole number from 1 to 168 at an interval of 60 minutes (CloudWatch evaluates an alarm over at most 168 hours at that period).'],
    ['part runs', { alarmAfterRuns: 1.5 }, 'Stack/Monitor: alarmAfterRuns is 1.5'],
    ['more than a week of hourly runs', { alarmAfterRuns: 169 }, 'Stack/Monitor: alarmAfterRuns is 169; it must be a whole number from 1 to 168'],
    ['more than a day of 15-minute runs', { interval: Duration.minutes(15), alarmAfterRuns: 97 }, 'Stack/Monitor: alarmAfterRuns is 97; it must be a whole number from 1 to 96 at an interval of 15 minutes (CloudWatch evaluates an alarm over at most 24 hours at that period).'],
  ])('%s is a synth error', (_, props, message) => {
    const { stack, lookup } = setup();
    expect(() => new EmailIdentityMonitor(stack, 'Monitor', { identities: [lookup], ...props })).toThrow(message);
  });

  test('identities left out (plain JavaScript) is named, never a TypeError', () => {
    const { stack } = setup();
    expect(() => new EmailIdentityMonitor(stack, 'Monitor', {} as never)).toThrow(
      /^Stack\/Monitor: EmailIdentityMonitor needs identities \(the identities to watch: EmailIdentityLookups, or any aws_ses\.IEmailIdentity\): it is missing from its props\.$/);
  });

  test('the same name twice is a synth error, in any case', () => {
    const { stack, lookup } = setup();
    const again = ses.EmailIdentity.fromEmailIdentityName(stack, 'Again', 'Example.COM');

    expect(() => new EmailIdentityMonitor(stack, 'Monitor', { identities: [lookup, again] })).toThrow(
      'Stack/Monitor: identities names "example.com" twice; the metric tells identities apart by name only, so each may be watched once per monitor');
  });

  test('more identities than EventBridge\'s 8,192-character input holds is a synth error; 100 fit', () => {
    const { stack } = setup();
    const names = (count: number) => Array.from({ length: count }, (_, index) => `team-${String(index).padStart(3, '0')}.mail.example.com`);
    const identities = (prefix: string, count: number) => names(count).map((name) => ses.EmailIdentity.fromEmailIdentityName(stack, `${prefix}${name}`, name));

    new EmailIdentityMonitor(stack, 'Hundred', { identities: identities('A', 100), createAlarms: false });
    const [rule] = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'));
    expect(rule.Properties.Targets[0].InputTransformer.InputTemplate).toHaveLength(4753);
    expect(() => new EmailIdentityMonitor(stack, 'Many', { identities: identities('B', 200), createAlarms: false })).toThrow(
      /^Stack\/Many: its 200 identities make a schedule input of about 9357 characters, over the 8192 EventBridge allows\. Split them over two monitors\.$/);
  });
});
