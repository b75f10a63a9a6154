// peers.sh's correctness check, run with the Node it installs before anything is timed: asks
// Unleash's frontend API and Rollgate's OFREP bulk and single endpoints about the same 1,024 users
// wrk sends (peers.lua, PeerUsers.java) and fails unless each serves the static flag to all of
// them, answers the rule as the three conditions computed here do, and serves the 25% rollout to
// 25% +- 5 points of the users, the same ones when asked again. The systems hash differently, so
// the split is checked by its share, not user by user (as PeersTest does for the JMH peers).
// Usage: node peers-check.mjs UNLEASH_URL FRONTEND_TOKEN ROLLGATE_URL SDK_TOKEN
const [unleashUrl, frontendToken, rollgateUrl, sdkToken] = process.argv.slice(2);
if (!sdkToken) {
  console.error('usage: node peers-check.mjs UNLEASH_URL FRONTEND_TOKEN ROLLGATE_URL SDK_TOKEN');
  process.exit(2);
}

const COUNTRIES = ['DE', 'FR', 'US', 'NL', 'GB'];
const PLANS = ['pro', 'free', 'team'];
const VERSIONS = ['1.9.0', '2.0.9', '2.1.0', '2.1.1', '2.10.0', '10.0.0', '2.0.10'];
const FLAGS = ['static-flag', 'rule-flag', 'fractional-flag'];
const users = Array.from({ length: 1024 }, (_, i) => ({
  key: `user-${i}`,
  country: COUNTRIES[i % COUNTRIES.length],
  plan: PLANS[i % PLANS.length],
  appVersion: VERSIONS[i % VERSIONS.length],
}));

const atLeast210 = (version) => {
  const [a, b, c] = version.split('.').map(Number);
  return a !== 2 ? a > 2 : b !== 1 ? b > 1 : c >= 0;
};
const matchesRule = (u) => ['DE', 'FR', 'NL'].includes(u.country) && u.plan === 'pro' && atLeast210(u.appVersion);

async function call(url, init) {
  const response = await fetch(url, init);
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${response.status} ${text.slice(0, 300)}`);
  }
  return JSON.parse(text);
}

// Each returns a map flag key -> boolean for one user.
async function unleash(u) {
  const query = new URLSearchParams({ appName: 'peers', userId: u.key, country: u.country, plan: u.plan, appVersion: u.appVersion });
  const body = await call(`${unleashUrl}/api/frontend?${query}`, { headers: { Authorization: frontendToken } });
  const enabled = new Set(body.toggles.filter((t) => t.enabled).map((t) => t.name));
  return Object.fromEntries(FLAGS.map((f) => [f, enabled.has(f)]));
}

const ofrepInit = (u) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', 'X-API-Key': sdkToken },
  body: JSON.stringify({ context: { targetingKey: u.key, country: u.country, plan: u.plan, appVersion: u.appVersion } }),
});

async function bulk(u) {
  const body = await call(`${rollgateUrl}/ofrep/v1/evaluate/flags`, ofrepInit(u));
  const values = Object.fromEntries(body.flags.map((f) => [f.key, f.value]));
  return Object.fromEntries(FLAGS.map((f) => [f, values[f] === true]));
}

async function single(u) {
  const entries = [];
  for (const flag of FLAGS) {
    const body = await call(`${rollgateUrl}/ofrep/v1/evaluate/flags/${flag}`, ofrepInit(u));
    if (typeof body.value !== 'boolean') {
      throw new Error(`OFREP single ${flag} for ${u.key}: no boolean value in ${JSON.stringify(body)}`);
    }
    entries.push([flag, body.value]);
  }
  return Object.fromEntries(entries);
}

async function check(name, ask) {
  const problems = [];
  const first = [];
  for (const u of users) {
    first.push(await ask(u));
  }
  let inSplit = 0;
  users.forEach((u, i) => {
    const got = first[i];
    if (!got['static-flag']) problems.push(`${u.key}: static-flag off`);
    if (got['rule-flag'] !== matchesRule(u)) {
      problems.push(`${u.key} (${u.country}, ${u.plan}, ${u.appVersion}): rule-flag ${got['rule-flag']}, expected ${matchesRule(u)}`);
    }
    if (got['fractional-flag']) inSplit++;
  });
  const share = (100 * inSplit) / users.length;
  if (share < 20 || share > 30) problems.push(`fractional-flag on for ${share.toFixed(1)}% of the users, expected 25% +- 5`);
  // Asked again in reverse order: a rollout must keep each user where it put them.
  for (let i = users.length - 1; i >= 0; i--) {
    const again = await ask(users[i]);
    if (again['fractional-flag'] !== first[i]['fractional-flag']) problems.push(`${users[i].key}: fractional-flag changed between two calls`);
  }
  const rule = users.filter(matchesRule).length;
  if (problems.length > 0) {
    console.error(`${name}: ${problems.length} wrong answers, for example:\n  ${problems.slice(0, 5).join('\n  ')}`);
    return false;
  }
  console.log(`${name}: correct for all ${users.length} users (rule on for ${rule}, rollout on for ${share.toFixed(1)}%)`);
  return true;
}

// Unleash's frontend API serves from a cache refreshed after writes: wait until it shows the seeded
// flags to a user the rule matches (user-0: DE, pro, 1.9.0 is not; user-30: DE, pro, 2.1.0 is).
const deadline = Date.now() + 60_000;
for (;;) {
  const seen = await unleash(users[30]).catch(() => ({}));
  if (seen['static-flag'] && seen['rule-flag']) break;
  if (Date.now() > deadline) {
    console.error('Unleash frontend API: the seeded flags did not appear within 60 s');
    process.exit(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}

let ok = true;
for (const [name, ask] of [['Unleash frontend API', unleash], ['Rollgate OFREP bulk', bulk], ['Rollgate OFREP single', single]]) {
  try {
    ok = (await check(name, ask)) && ok;
  } catch (e) {
    console.error(`${name}: ${e.message}`);
    ok = false;
  }
}
process.exit(ok ? 0 : 1);
