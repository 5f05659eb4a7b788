/** Stack config: read, validated and resolved against the environment's profile. */
export { loadConfig } from "./load";
export { ConfigError } from "./problems";
export { isPgpPublicKey } from "./schemas";
export {
  CONFIG_KEYS,
  ENCRYPTED_PLACEHOLDER,
  NAMESPACE,
  pulumiConfigSource,
  type ConfigSource,
} from "./source";
export type * from "./types";
export type { PeopleConfig, TeamConfig } from "./people";
