import { domainToASCII } from 'node:url';

/**
 * Checks that a value can name an SES email identity: a domain or an email
 * address. The construct runs it at synth time on literal values and the
 * handler at deploy time on resolved ones, so both give the same message.
 *
 * Deliberately permissive where SES is (internationalized domains, `+` and
 * other characters in local parts); strict where a value can never be an
 * identity.
 *
 * @returns a sentence naming the problem, or undefined when the value is usable
 */
export function emailIdentityProblem(identity: string): string | undefined {
  const problem = findProblem(identity);
  return problem && `emailIdentity ${quoted(identity)} is not a domain or email address SES accepts: ${problem}.`;
}

/**
 * Checks that a value is an email address (a local part, "@" and a domain),
 * by the same rules as identity names.
 *
 * @param name the property's name, for the message
 */
export function emailAddressProblem(name: string, value: string): string | undefined {
  const problem = value.includes('@') ? findProblem(value) : 'it has no "@"';
  return problem && `${name} ${quoted(value)} is not an email address: ${problem}.`;
}

/** A domain name in lowercase ASCII (Punycode), as DNS stores it; what is no valid domain name is only lowercased. */
export function asciiDomain(name: string): string {
  return domainToASCII(name) || name.toLowerCase();
}

/**
 * The spellings of an identity that IAM policies name: as given and, where
 * it differs, with its domain in lower case (an address keeps its local part,
 * which may be case-sensitive). SES compares domains case-insensitively; it
 * does not document whether its authorization compares the identity in an
 * ARN as given or in lower case, so a policy names both.
 */
export function identitySpellings(identity: string): string[] {
  const domainStart = identity.lastIndexOf('@') + 1;
  const lower = identity.slice(0, domainStart) + identity.slice(domainStart).toLowerCase();
  return lower === identity ? [identity] : [identity, lower];
}

/** A value as messages quote it: JSON, cut at 80 characters. */
export function quoted(value: string): string {
  return JSON.stringify(value.length > 80 ? value.slice(0, 80) + '…' : value);
}

/** Longest email address (RFC 5321 path limit) and SES identity name. */
export const MAX_EMAIL_IDENTITY_LENGTH = 320;
const MAX_DOMAIN_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
const MAX_LOCAL_PART_LENGTH = 64;

function findProblem(identity: string): string | undefined {
  if (identity.length === 0) {
    return 'it is empty';
  }
  if (identity.length > MAX_EMAIL_IDENTITY_LENGTH) {
    return `it is ${identity.length} characters long, over the ${MAX_EMAIL_IDENTITY_LENGTH} SES allows`;
  }
  if (/[\s\p{Cc}]/u.test(identity)) {
    return 'it contains whitespace or control characters';
  }
  const at = identity.lastIndexOf('@');
  if (at === -1) {
    return domainProblem(identity);
  }
  const localPart = identity.slice(0, at);
  if (localPart.length === 0) {
    return 'the part before "@" is empty';
  }
  if (localPart.length > MAX_LOCAL_PART_LENGTH) {
    return `the part before "@" is ${localPart.length} characters long, over the ${MAX_LOCAL_PART_LENGTH} allowed`;
  }
  if (localPart.includes('@') && !/^".*"$/.test(localPart)) {
    return 'it contains more than one "@"';
  }
  const domainIssue = domainProblem(identity.slice(at + 1));
  return domainIssue && `in its domain, ${domainIssue}`;
}

function domainProblem(domain: string): string | undefined {
  if (domain.length === 0) {
    return 'the domain is empty';
  }
  if (domain.startsWith('.') || domain.endsWith('.') || domain.includes('..')) {
    return 'it has an empty label (a leading, trailing or doubled ".")';
  }
  // Letters and digits of any script, hyphens and underscores; no other punctuation.
  const stray = domain.match(/[^\p{L}\p{M}\p{N}._-]/u);
  if (stray) {
    return `the character "${stray[0]}" cannot appear in a domain name`;
  }
  // DNS limits apply to the ASCII (xn--) form SES stores an internationalized domain in.
  const ascii = domainToASCII(domain) || domain;
  const form = ascii === domain.toLowerCase() ? '' : ' in its ASCII (xn--) form';
  if (ascii.length > MAX_DOMAIN_LENGTH) {
    return `the domain is ${ascii.length} characters long${form}, over the ${MAX_DOMAIN_LENGTH} DNS allows`;
  }
  const longLabel = ascii.split('.').find((label) => label.length > MAX_LABEL_LENGTH);
  if (longLabel) {
    return `the label "${longLabel.slice(0, 20)}…" is ${longLabel.length} characters long${form}, over the ${MAX_LABEL_LENGTH} DNS allows`;
  }
  return undefined;
}
