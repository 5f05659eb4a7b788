/** Seed secrets: read only from encrypted config, checked, resolved to secret JSON. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { Problems, parse, readJson } from "./problems";
import { checkPathSegments, checkSeedCollisions, checkSeedPathNames } from "./rules";
import { seedsSchema } from "./schemas";
import { ConfigSource, NAMESPACE } from "./source";
import type { SeedConfig } from "./types";

export function readSeeds(
  source: ConfigSource,
  problems: Problems,
): z.infer<typeof seedsSchema> | undefined {
  let seeds: z.infer<typeof seedsSchema> | undefined;
  const rawSeeds = source.get(`${NAMESPACE}:seeds`);
  if (rawSeeds !== undefined && rawSeeds !== "" && rawSeeds !== "{}") {
    if (!source.isSecret(`${NAMESPACE}:seeds`)) {
      problems.add(
        "seeds",
        [],
        "must be stored encrypted: set it with `pulumi config set --secret`",
        undefined,
      );
    } else {
      checkSeedPathNames(readJson(source, "seeds", new Problems()), problems);
      seeds = parse(seedsSchema, source, "seeds", problems);
    }
  }

  return seeds;
}

export function resolveSeeds(
  seeds: z.infer<typeof seedsSchema> | undefined,
  problems: Problems,
): SeedConfig[] {
  const seedPaths = Object.keys(seeds ?? {});
  seedPaths.forEach((seedPath) => checkPathSegments("seeds", [seedPath], seedPath, problems));
  checkSeedCollisions(seedPaths, problems);
  return Object.entries(seeds ?? {}).map(([path, seed]) => ({
    path,
    mode: seed.mode ?? "overwrite",
    dataJson: pulumi.secret(JSON.stringify(seed.data)),
  }));
}
