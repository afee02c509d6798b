/**
 * The parsers of what CloudFormation delivers (src/handler/properties.ts):
 * anything at all comes in; typed properties, or one sentence naming the
 * property that is wrong, come out. The ids they make: physical-id.test.ts.
 */
import { gatePhysicalId, parseGateProperties, parseLookupProperties, type ParsedGate } from '../src/handler/properties';

const GATE = { EmailIdentity: 'example.com', Conditions: ['IdentityVerified'], PollIntervalSeconds: '60', TimeoutSeconds: '300' };

describe('no properties at all', () => {
  test.each([
    ['undefined', undefined],
    ['null', null],
    ['a list', [{ EmailIdentity: 'example.com' }]],
    ['a string', 'example.com'],
  ])('%s: the resource needs EmailIdentity', (_, raw) => {
    expect(parseLookupProperties(raw)).toBe('The resource received no properties; it needs EmailIdentity.');
    expect(parseGateProperties(raw)).toBe('The resource received no properties; it needs EmailIdentity.');
  });
});

describe('a property of the wrong type is named, with what it was', () => {
  test.each<[string, Record<string, unknown>, string]>([
    ['EmailIdentity a list', { EmailIdentity: ['example.com'] }, 'Property EmailIdentity must be a string, got a list.'],
    ['EmailIdentity an object', { EmailIdentity: { Ref: 'Name' } }, 'Property EmailIdentity must be a string, got object.'],
    ['EmailIdentity null', { EmailIdentity: null }, 'Property EmailIdentity must be a string, got object.'],
    ['AssumeRoleArn a boolean', { EmailIdentity: 'example.com', AssumeRoleArn: true }, 'Property AssumeRoleArn must be a string, got boolean.'],
    ['ExternalId a number', { EmailIdentity: 'example.com', ExternalId: 7 }, 'Property ExternalId must be a string, got number.'],
    ['EmailIdentity missing', {}, 'Property EmailIdentity must be a string, got nothing.'],
    ['Region a list', { EmailIdentity: 'example.com', Region: ['eu-west-1'] }, 'Property Region must be a string, got a list.'],
    ['RefreshToken a number', { EmailIdentity: 'example.com', RefreshToken: 2 }, 'Property RefreshToken must be a string, got number.'],
  ])('lookup, %s', (_, raw, problem) => {
    expect(parseLookupProperties(raw)).toBe(problem);
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['Region a number', { ...GATE, Region: 1 }, 'Property Region must be a string, got number.'],
    ['ExternalId a list', { ...GATE, ExternalId: ['x'] }, 'Property ExternalId must be a string, got a list.'],
    ['TimeoutSeconds missing', { ...GATE, TimeoutSeconds: undefined }, 'Properties PollIntervalSeconds and TimeoutSeconds must be numbers, got 60 and undefined.'],
    ['EmailIdentity missing', { ...GATE, EmailIdentity: undefined }, 'Property EmailIdentity must be a string, got nothing.'],
    ['AssumeRoleArn a number', { ...GATE, AssumeRoleArn: 1 }, 'Property AssumeRoleArn must be a string, got number.'],
    // Numbers come as strings: a list holding one, or a JSON number, is a template bug to name.
    ['PollIntervalSeconds a list', { ...GATE, PollIntervalSeconds: ['60'] }, 'Property PollIntervalSeconds must be a string, got a list.'],
    ['TimeoutSeconds a number', { ...GATE, TimeoutSeconds: 300 }, 'Property TimeoutSeconds must be a string, got number.'],
  ])('gate, %s', (_, raw, problem) => {
    expect(parseGateProperties(raw)).toBe(problem);
  });
});

describe('lists', () => {
  test('Requirements of the wrong kind: quoted, the first 100 characters only', () => {
    const requirements = Array.from({ length: 10 }, () => 'EasyDkimRecords').concat('Nope');

    expect(parseLookupProperties({ EmailIdentity: 'example.com', Requirements: requirements }))
      .toBe(`Property Requirements must be a list of EasyDkimRecords, MailFromRecords, got ${JSON.stringify(requirements).slice(0, 100)}.`);
  });

  test('Conditions missing: quoted as null', () => {
    expect(parseGateProperties({ ...GATE, Conditions: undefined }))
      .toBe('Property Conditions must be a non-empty list of IdentityVerified, SendingEnabled, DkimVerified, MailFromVerified, got null.');
  });

  test('Conditions empty: a gate waits for at least one', () => {
    expect(parseGateProperties({ ...GATE, Conditions: [] }))
      .toBe('Property Conditions must be a non-empty list of IdentityVerified, SendingEnabled, DkimVerified, MailFromVerified, got [].');
  });

  test('Conditions of the wrong kind: the first 100 characters only', () => {
    const conditions = Array.from({ length: 10 }, () => 'IdentityVerified').concat('Verified');

    expect(parseGateProperties({ ...GATE, Conditions: conditions }))
      .toBe(`Property Conditions must be a non-empty list of IdentityVerified, SendingEnabled, DkimVerified, MailFromVerified, got ${JSON.stringify(conditions).slice(0, 100)}.`);
  });
});

describe('what a valid lookup gives', () => {
  test('the properties left out stay absent, not "undefined"', () => {
    expect(parseLookupProperties({ EmailIdentity: 'example.com' })).toEqual({ EmailIdentity: 'example.com' });
    expect(parseLookupProperties({ EmailIdentity: 'example.com' })).toStrictEqual({
      EmailIdentity: 'example.com', Region: undefined, AssumeRoleArn: undefined, ExternalId: undefined, RefreshToken: undefined, Requirements: undefined,
    });
  });

  test('the construct\'s rules apply to the values CloudFormation resolved', () => {
    expect(parseLookupProperties({ EmailIdentity: 'example.com', Region: 'eu_west_1' })).toMatch(/^Invalid properties: /);
    expect(parseGateProperties({ ...GATE, EmailIdentity: 'bad..example.com' })).toMatch(/^Invalid properties: /);
  });
});

describe('a gate\'s numbers', () => {
  function parsed(raw: Record<string, unknown>): ParsedGate {
    const result = parseGateProperties(raw);
    if (typeof result === 'string') throw new Error(result);
    return result;
  }

  test('decimal strings, converted to milliseconds; the strings kept as delivered', () => {
    expect(parsed({ ...GATE, PollIntervalSeconds: '7.5', TimeoutSeconds: ' 300 ' })).toMatchObject({
      PollIntervalSeconds: '7.5', TimeoutSeconds: ' 300 ', pollIntervalMs: 7_500, timeoutMs: 300_000,
    });
  });

  test.each(['', '   ', 'NaN', '-Infinity'])('%j is not a number', (value) => {
    expect(parseGateProperties({ ...GATE, PollIntervalSeconds: value }))
      .toBe(`Properties PollIntervalSeconds and TimeoutSeconds must be numbers, got ${value} and 300.`);
  });

  test('a timing out of bounds is refused in the construct\'s words', () => {
    expect(parseGateProperties({ ...GATE, PollIntervalSeconds: '4' })).toBe('Invalid properties: pollInterval is 4 s; it must be between 5 s and 10 minutes.');
  });

  test('a gate\'s id says it is a gate\'s', () => {
    expect(gatePhysicalId(parsed(GATE))).toMatch(/^example\.com\/gate-[0-9a-f]{16}$/);
  });
});
