// Runs before every test file. Tests talk to dynalite on loopback only: dummy credentials, no profile, and a
// default endpoint that refuses connections, so a client created without an endpoint fails fast instead of
// reaching AWS. dynalite.ts adds a second guard on every client it hands out.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
delete process.env.AWS_PROFILE;
delete process.env.AWS_SESSION_TOKEN;
delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
delete process.env.SESSION_LAMBDA_DYNAMODB_TABLE_NAME;
