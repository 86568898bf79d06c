// The OpenID provider the single sign-on tests sign in through: oidc-provider with its
// development login page (any password), open client registration and RP-initiated logout.
//
// Test users come as JSON in OIDC_TEST_USERS: {"login": {"sub", "email", "email_verified",
// "groups", "name"}}. It listens on 127.0.0.1 on a free port and answers on stdout with one
// JSON line per event: {"issuer", "kid"} once ready, then one line per command read on
// stdin: "rotate" publishes a new signing key ahead of the old one ({"kid"}), "stats"
// counts the requests for the key set ({"jwks_requests"}).
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';

import Provider from 'oidc-provider';
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';

// The package's in-memory store, shared by every instance (its default gives each its own):
// clients, sessions and grants outlive a key rotation.
class SharedMemoryAdapter extends MemoryAdapter {}

const users = JSON.parse(process.env.OIDC_TEST_USERS || '{}');
const keys = [];
let jwksRequests = 0;
let handler;

function newSigningKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

function page(title, body) {
  // The package's own pages load a web font from Google; these load nothing.
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head>`
    + `<body><h1>${title}</h1>${body}</body></html>`;
}

function configuration() {
  return {
    adapter: SharedMemoryAdapter,
    jwks: { keys },
    cookies: { keys: ['casetracker-test-provider-only'] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      groups: ['groups'],
    },
    features: {
      devInteractions: { enabled: true },
      registration: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx, form) {
          ctx.body = page('Sign out of the test provider?', `${form}
            <button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>`);
        },
        postLogoutSuccessSource(ctx) {
          ctx.body = page('Signed out of the test provider', '');
        },
      },
    },
    pkce: { required: () => true },
    async findAccount(ctx, id) {
      const user = users[id];
      if (!user) return undefined;
      return { accountId: id, claims: async () => ({ ...user }) };
    },
    // Staff are not asked to consent to their employer's own application.
    async loadExistingGrant(ctx) {
      const { client, session, result } = ctx.oidc;
      const grantId = result?.consent?.grantId || session.grantIdFor(client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(ctx.oidc.params.scope);
      await grant.save();
      return grant;
    },
  };
}

function start(issuer) {
  const provider = new Provider(issuer, configuration());
  provider.use(async (ctx, next) => {
    if (ctx.path === '/jwks') jwksRequests += 1;
    await next();
  });
  handler = provider.callback();
}

function say(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

const server = createServer((req, res) => handler(req, res));
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  keys.push(newSigningKey());
  start(issuer);
  say({ issuer, kid: keys[0].kid });

  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line === 'rotate') {
      keys.unshift(newSigningKey());
      start(issuer);
      say({ kid: keys[0].kid });
    } else if (line === 'stats') {
      say({ jwks_requests: jwksRequests });
    } else {
      say({ error: `unknown command ${line}` });
    }
  });
});
process.stdin.on('end', () => process.exit(0));
