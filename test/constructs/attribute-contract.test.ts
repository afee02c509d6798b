/**
 * The attribute contract (src/shared/attributes.ts) against what derives
 * from it by hand: the construct's typed properties and the table of docs/attributes.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EmailIdentityLookup } from '../../src';
import { encodeIdentity } from '../../src/handler/lookup';
import { ATTRIBUTES, ATTRIBUTE_NAMES } from '../../src/shared/attributes';
import { LOOKUP_RESOURCE_TYPE } from '../../src/shared/wire';

/** The rows of docs/attributes.md's attribute table that name an attribute: [API field, attribute, property]. */
function readmeRows(): string[][] {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'attributes.md'), 'utf8');
  const section = readme.split('\n## Attributes\n')[1].split('\n## ')[0];
  return section.split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()))
    .filter(([, attribute]) => attribute?.startsWith('`'));
}

const firstCode = (cell: string) => /`([^`]+)`/.exec(cell)?.[1];

test('every row has a distinct attribute and property', () => {
  expect(new Set(ATTRIBUTES.map((row) => row.attribute)).size).toBe(ATTRIBUTES.length);
  expect(new Set(ATTRIBUTES.map((row) => row.property)).size).toBe(ATTRIBUTES.length);
});

test("docs/attributes.md's table documents each row: API field, attribute and property", () => {
  const documented = readmeRows().map(([field, attribute, property]) => [firstCode(field), firstCode(attribute), firstCode(property)]);

  expect(documented).toEqual(ATTRIBUTES.map((row) => [row.path, row.attribute, row.property]));
});

test("each row's property reads its attribute, as a list where the encoding is one", () => {
  const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const lookup = new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com' });
  const [logicalId] = Object.keys(Template.fromStack(stack).findResources(LOOKUP_RESOURCE_TYPE));

  for (const row of ATTRIBUTES) {
    const getAtt = { 'Fn::GetAtt': [logicalId, row.attribute] };
    const expected = row.encoding === 'joined' || row.encoding === 'names' ? { 'Fn::Split': [',', getAtt] } : getAtt;
    expect({ property: row.property, value: stack.resolve((lookup as unknown as Record<string, unknown>)[row.property]) })
      .toEqual({ property: row.property, value: expected });
  }
});

test('the encoder returns exactly the attributes of the table, in its order', () => {
  expect(Object.keys(encodeIdentity({}, 'eu-west-1'))).toEqual([...ATTRIBUTE_NAMES]);
});
