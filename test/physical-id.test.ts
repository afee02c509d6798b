/**
 * Physical ids change with every property the handlers read: an Update whose
 * id does not change is taken for a rollback (rollback.ts), which skips a
 * lookup's requirements and passes a gate at once. So each property is varied
 * on its own, and the list of properties is the parsers' own: a property
 * added to a parser and missing here fails the first test of its group.
 */
import { gatePhysicalId, lookupPhysicalId, parseGateProperties, parseLookupProperties } from '../src/handler/properties';

/** Two valid values of each property, as CloudFormation delivers them. */
type Fixture = Record<string, readonly [unknown, unknown]>;

const LOOKUP: Fixture = {
  EmailIdentity: ['example.com', 'example.net'],
  Region: ['eu-west-1', 'us-east-1'],
  AssumeRoleArn: ['arn:aws:iam::111111111111:role/ses-reader', 'arn:aws:iam::222222222222:role/ses-reader'],
  ExternalId: ['external-1', 'external-2'],
  RefreshToken: ['build-41', 'build-42'],
  Requirements: [['EasyDkimRecords'], ['EasyDkimRecords', 'MailFromRecords']],
};

const GATE: Fixture = {
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
    const parsed = parse({ ...firstValues(LOOKUP), ServiceToken: SERVICE_TOKEN });

    expect(Object.keys(parsed).sort()).toEqual(Object.keys(LOOKUP).sort());
    expect(parsed).toEqual(firstValues(LOOKUP));
  });

  test('the same properties give the same id: the identity, then a digest', () => {
    const raw = firstValues(LOOKUP);

    expect(idOf(raw)).toBe(idOf({ ...raw }));
    expect(idOf(raw)).toMatch(/^example\.com\/[0-9a-f]{16}$/);
  });

  test('any one property changed or left out gives another id', () => {
    expectEveryChangeToChangeTheId(LOOKUP, idOf, parses);
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
    const { pollIntervalMs, timeoutMs, ...wire } = parse({ ...firstValues(GATE), ServiceToken: SERVICE_TOKEN });

    expect(Object.keys(wire).sort()).toEqual(Object.keys(GATE).sort());
    expect(wire).toEqual(firstValues(GATE));
    // Derived from the two properties above, which the id carries.
    expect({ pollIntervalMs, timeoutMs }).toEqual({ pollIntervalMs: 30_000, timeoutMs: 1_800_000 });
  });

  test('the same properties give the same id: the identity, then a digest', () => {
    const raw = firstValues(GATE);

    expect(idOf(raw)).toBe(idOf({ ...raw }));
    expect(idOf(raw)).toMatch(/^example\.com\/gate-[0-9a-f]{16}$/);
  });

  test('any one property changed or left out gives another id', () => {
    expectEveryChangeToChangeTheId(GATE, idOf, parses);
  });
});
