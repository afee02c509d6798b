/**
 * The environment a Lambda function would have, pointed at local stand-ins:
 * every SDK client created afterwards talks to them, with the function's
 * own (fake) credentials, and never reads the developer's AWS configuration.
 */

/** Every variable the SDK reads that a test may set or must keep out. */
const AWS_VARIABLES = [
  'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_SESV2', 'AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL_LAMBDA',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE',
];

/** The function's credentials, as the Lambda runtime would set them. */
export const FUNCTION_ACCESS_KEY_ID = 'AKIDLOCALTEST';
export const FUNCTION_SECRET_ACCESS_KEY = 'local-test-secret';
const FUNCTION_SESSION_TOKEN = 'local-test-session-token';

/** What Lambda gives a function in eu-west-1, and no AWS configuration files: the one set of fake credentials. */
export const FUNCTION_ENV = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: FUNCTION_ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY: FUNCTION_SECRET_ACCESS_KEY,
  AWS_SESSION_TOKEN: FUNCTION_SESSION_TOKEN,
  AWS_CONFIG_FILE: '/nonexistent/aws-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
} as const;

/**
 * Sets the environment for a function in eu-west-1 whose SES and STS calls go
 * to `endpoint`, plus any `extra` variables.
 *
 * @returns a function that puts the environment back as it was
 */
export function useLocalAws(endpoint: string, extra: Record<string, string> = {}): () => void {
  const saved = Object.fromEntries(AWS_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of AWS_VARIABLES) {
    delete process.env[name];
  }
  Object.assign(process.env, { AWS_ENDPOINT_URL_SESV2: endpoint, AWS_ENDPOINT_URL_STS: endpoint, ...FUNCTION_ENV, ...extra });
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
  };
}
