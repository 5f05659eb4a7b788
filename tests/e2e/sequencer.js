/**
 * The order tier 2 runs its files in: the quick ones that fail on the commonest breakage first
 * (a first run, the platform, logins, people), the long fault, cluster and upgrade runs last, so
 * a broken change stops CI early. A file not listed runs after the listed ones, by name.
 */
const Sequencer = require("@jest/test-sequencer").default;
const path = require("path");

const ORDER = [
  "first-run",
  "platform",
  "logins",
  "people",
  "pki",
  "gitops",
  "teardown",
  "consumer",
  "external-cluster",
  "external-token",
  "server-mode",
  "pgp-unseal",
  "disaster",
  "faults",
  "converge",
  "cluster",
  "upgrade",
  "load",
];

function rank(test) {
  const name = path.basename(test.path).replace(/\.e2e\.test\.ts$/, "");
  const index = ORDER.indexOf(name);
  return index === -1 ? ORDER.length : index;
}

class FastFailingFirst extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
  }
}

module.exports = FastFailingFirst;
