import { emailIdentityProblem, MAX_EMAIL_IDENTITY_LENGTH } from '../../src/shared/identity-name';

const label63 = 'a'.repeat(63);
/** 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 characters, the DNS maximum. */
const domain253 = [label63, label63, label63, 'b'.repeat(61)].join('.');

describe('emailIdentityProblem accepts what SES accepts', () => {
  test.each<[string, string]>([
    ['a domain', 'example.com'],
    ['a subdomain under a two-level suffix', 'sub.example.co.uk'],
    ['mixed case', 'Example.COM'],
    ['an email address with a + tag', 'team+ses@example.com'],
    ['an internationalized domain', 'bücher.example'],
    ['a punycode domain', 'xn--bcher-kva.example'],
    ['a 63-character label', `${label63}.example`],
    ['a 253-character domain', domain253],
    ['underscores, as in _dmarc-like names', '_dmarc.example.com'],
    ['underscores inside a label', 'mail_out.example.com'],
    ['a 64-character local part', `${'l'.repeat(64)}@example.com`],
    ['an email address with a 253-character domain', `user@${domain253}`],
    ['a quoted local part holding "@"', '"a@b"@example.com'],
    ['a single label', 'localhost'],
  ])('%s', (_, identity) => {
    expect(emailIdentityProblem(identity)).toBeUndefined();
  });

  test('the sample domain really is at the limits it claims', () => {
    expect(domain253).toHaveLength(253);
    expect(`${'l'.repeat(64)}@${domain253}`.length).toBeLessThanOrEqual(MAX_EMAIL_IDENTITY_LENGTH);
  });
});

describe('emailIdentityProblem rejects with a message naming the problem', () => {
  test.each<[string, string, RegExp]>([
    ['empty', '', /it is empty/],
    ['only whitespace', '   ', /whitespace or control characters/],
    ['a space inside', 'exa mple.com', /whitespace or control characters/],
    ['a trailing newline', 'example.com\n', /whitespace or control characters/],
    ['a NUL character', 'example\u0000.com', /whitespace or control characters/],
    ['a DEL character', 'example.com\u007f', /whitespace or control characters/],
    ['over 320 characters', `${'a'.repeat(64)}@${'b'.repeat(257)}`, /322 characters long, over the 320 SES allows/],
    ['a domain over 253 characters', `${domain253}c`, /the domain is 254 characters long, over the 253 DNS allows/],
    ['an email domain over 253 characters', `user@${domain253}c`, /in its domain, the domain is 254 characters long/],
    ['a label over 63 characters', `${'a'.repeat(64)}.example.com`, /the label "a{20}…" is 64 characters long, over the 63 DNS allows/],
    // 60 characters, but 66 once encoded as SES stores it.
    ['an internationalized label over 63 in xn-- form', `${'ü'.repeat(60)}.example`, /is 66 characters long in its ASCII \(xn--\) form, over the 63 DNS allows/],
    ['a leading dot', '.example.com', /empty label \(a leading, trailing or doubled "\."\)/],
    ['a trailing dot', 'example.com.', /empty label/],
    ['a double dot', 'example..com', /empty label/],
    ['a slash in the domain', 'example.com/path', /the character "\/" cannot appear in a domain name/],
    ['a colon in the domain', 'example.com:25', /the character ":" cannot appear in a domain name/],
    ['a URL', 'https://example.com', /the character ":" cannot appear in a domain name/],
    ['an emoji in the domain', 'mail😀.example', /the character "😀" cannot appear in a domain name/],
    ['punctuation in an email domain', 'user@exa!mple.com', /in its domain, the character "!" cannot appear/],
    ['an empty local part', '@example.com', /the part before "@" is empty/],
    ['a local part over 64 characters', `${'l'.repeat(65)}@example.com`, /the part before "@" is 65 characters long, over the 64 allowed/],
    ['two @', 'a@b@example.com', /more than one "@"/],
    ['an empty domain after @', 'user@', /in its domain, the domain is empty/],
  ])('%s', (_, identity, problem) => {
    const message = emailIdentityProblem(identity);
    expect(message).toMatch(problem);
    // Every message says which value and what is expected, for synth and deploy alike.
    expect(message).toMatch(/^emailIdentity ".*" is not a domain or email address SES accepts: .*\.$/s);
  });

  test('quotes a long value shortened, so the message stays readable', () => {
    const message = emailIdentityProblem('x'.repeat(400));
    expect(message).toContain(`"${'x'.repeat(80)}…"`);
    expect(message).not.toContain('x'.repeat(81));
    expect(message).toMatch(/400 characters long/);
  });

  test('quotes control characters escaped, so a log line is not broken by the value', () => {
    expect(emailIdentityProblem('bad\nname')).toContain('"bad\\nname"');
  });
});
