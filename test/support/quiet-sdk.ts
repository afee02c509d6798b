/**
 * Jest's setup of each test file: the AWS SDK's notice that its releases
 * after January 2027 need Node 22 says nothing about this project's tests,
 * and repeats in every worker that loads a client. scripts/demo.js and the
 * CLI test set the same variable.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
