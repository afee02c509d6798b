/**
 * The parsers of what CloudFormation delivers (src/handler/properties.ts):
 * anything at all comes in; typed properties, or one sentence naming the
 * property that is wrong, come out. And the physical ids they make, in
 * "physical ids" below (once physical-id.test.ts, its tests' names kept).
 */
import { gatePhysicalId, lookupPhysicalId, parseGateProperties, parseLookupProperties, type ParsedGate } from '../../src/handler/properties';

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

describe('physical ids', () => {
  // Physical ids change with every property the handlers read: an Update whose
  // id does not change is taken for a rollback (rollback.ts), which skips a
  // lookup's requirements and passes a gate at once. So each property is varied
  // on its own, and the list of properties is the parsers' own: a property
  // added to a parser and missing here fails the first test of its group.
  /** Two valid values of each property, as CloudFormation delivers them. */
  type Fixture = Record<string, readonly [unknown, unknown]>;

  const LOOKUP_FIXTURE: Fixture = {
    EmailIdentity: ['example.com', 'example.net'],
    Region: ['eu-west-1', 'us-east-1'],
    AssumeRoleArn: ['arn:aws:iam::111111111111:role/ses-reader', 'arn:aws:iam::222222222222:role/ses-reader'],
    ExternalId: ['external-1', 'external-2'],
    RefreshToken: ['build-41', 'build-42'],
    Requirements: [['EasyDkimRecords'], ['EasyDkimRecords', 'MailFromRecords']],
  };

  const GATE_FIXTURE: Fixture = {
    EmailIdentity: ['example.com', 'example.net'],
    Region: ['eu-west-1', 'us-east-1'],
    AssumeRoleArn: ['arn:aws:iam::111111111111:role/ses-reader', 'arn:aws:iam::222222222222:role/ses-reader'],
    ExternalId: ['external-1', 'external-2'],
    Conditions: [['IdentityVerified'], ['IdentityVerified', 'DkimVerified']],
    PollIntervalSeconds: ['30', '60'],
    TimeoutSeconds: ['1800', '2400'],
  };

  /** CloudFormation adds it to every resource's properties; no handler reads it. */
  const SERVICE_TOKEN = 'arn:aws:lambda:eu-west-1:123456789012:function:provider';

  function firstValues(fixture: Fixture): Record<string, unknown> {
    return Object.fromEntries(Object.entries(fixture).map(([name, [first]]) => [name, first]));
  }

  /** Each single change of `fixture`'s first values: another value, or (if the parser takes it) the property left out. */
  function singleChanges(fixture: Fixture, parses: (raw: Record<string, unknown>) => boolean): Array<[string, Record<string, unknown>]> {
    const base = firstValues(fixture);
    return Object.entries(fixture).flatMap(([name, [, second]]) => {
      const { [name]: _, ...without } = base;
      const changes: Array<[string, Record<string, unknown>]> = [[`${name} changed`, { ...base, [name]: second }]];
      return parses(without) ? [...changes, [`${name} left out`, without]] : changes;
    });
  }

  type Raw = Record<string, unknown>;

  function expectEveryChangeToChangeTheId(fixture: Fixture, idOf: (raw: Raw) => string, parses: (raw: Raw) => boolean) {
    const base = idOf({ ...firstValues(fixture), ServiceToken: SERVICE_TOKEN });
    const changes = singleChanges(fixture, parses);
    // Every property can be changed, and most can be left out (ExternalId alone, or the required ones, cannot).
    expect(changes.length).toBeGreaterThan(Object.keys(fixture).length);
    const ids = new Map<string, string>([['none', base]]);
    for (const [change, raw] of changes) {
      const id = idOf({ ...raw, ServiceToken: SERVICE_TOKEN });
      const same = [...ids].find(([, other]) => other === id);
      expect({ change, sameIdAs: same?.[0] }).toEqual({ change, sameIdAs: undefined });
      ids.set(change, id);
    }
  }

  describe('lookup ids', () => {
    const parse = (raw: Record<string, unknown>) => {
      const parsed = parseLookupProperties(raw);
      if (typeof parsed === 'string') throw new Error(parsed);
      return parsed;
    };
    const parses = (raw: Record<string, unknown>) => typeof parseLookupProperties(raw) !== 'string';
    const idOf = (raw: Record<string, unknown>) => lookupPhysicalId(parse(raw));

    test('the fixture holds every property the lookup handler reads, and the parser reads them all', () => {
      const parsed = parse({ ...firstValues(LOOKUP_FIXTURE), ServiceToken: SERVICE_TOKEN });

      expect(Object.keys(parsed).sort()).toEqual(Object.keys(LOOKUP_FIXTURE).sort());
      expect(parsed).toEqual(firstValues(LOOKUP_FIXTURE));
    });

    test('the same properties give the same id: the identity, then a digest', () => {
      const raw = firstValues(LOOKUP_FIXTURE);

      expect(idOf(raw)).toBe(idOf({ ...raw }));
      expect(idOf(raw)).toMatch(/^example\.com\/[0-9a-f]{16}$/);
    });

    test('any one property changed or left out gives another id', () => {
      expectEveryChangeToChangeTheId(LOOKUP_FIXTURE, idOf, parses);
    });
  });

  describe('gate ids', () => {
    const parse = (raw: Record<string, unknown>) => {
      const parsed = parseGateProperties(raw);
      if (typeof parsed === 'string') throw new Error(parsed);
      return parsed;
    };
    const parses = (raw: Record<string, unknown>) => typeof parseGateProperties(raw) !== 'string';
    const idOf = (raw: Record<string, unknown>) => gatePhysicalId(parse(raw));

    test('the fixture holds every property the gate handler reads, and the parser reads them all', () => {
      const { pollIntervalMs, timeoutMs, ...wire } = parse({ ...firstValues(GATE_FIXTURE), ServiceToken: SERVICE_TOKEN });

      expect(Object.keys(wire).sort()).toEqual(Object.keys(GATE_FIXTURE).sort());
      expect(wire).toEqual(firstValues(GATE_FIXTURE));
      // Derived from the two properties above, which the id carries.
      expect({ pollIntervalMs, timeoutMs }).toEqual({ pollIntervalMs: 30_000, timeoutMs: 1_800_000 });
    });

    test('the same properties give the same id: the identity, then a digest', () => {
      const raw = firstValues(GATE_FIXTURE);

      expect(idOf(raw)).toBe(idOf({ ...raw }));
      expect(idOf(raw)).toMatch(/^example\.com\/gate-[0-9a-f]{16}$/);
    });

    test('any one property changed or left out gives another id', () => {
      expectEveryChangeToChangeTheId(GATE_FIXTURE, idOf, parses);
    });
  });
});
