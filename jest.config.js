/** Tier 1: unit tests under mocks, pure renderer and config tests. */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/tests/unit"],
  testMatch: ["**/*.test.ts"],
  collectCoverageFrom: ["infra/**/*.ts", "stacks/**/*.ts"],
  coverageReporters: ["text-summary", "text"],
  coverageThreshold: { global: { lines: 90 } },
  testTimeout: 30000,
};
