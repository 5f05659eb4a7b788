/** Tier 2: end-to-end tests against the real engine (started by tests/e2e/run.ts). */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/tests/e2e"],
  testMatch: ["**/*.e2e.test.ts"],
  testTimeout: 1200000,
  maxWorkers: 1,
  // Quick files first, so a broken change fails early (see the file).
  testSequencer: "<rootDir>/tests/e2e/sequencer.js",
};
