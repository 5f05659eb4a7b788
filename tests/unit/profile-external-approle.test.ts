import { buildProfile, T } from "./contract";
import { named, ofType } from "./harness";

const NAMESPACE_TYPE = "vault:index/namespace:Namespace";
const REQUEST_TYPE = "pulumi-nodejs:dynamic/vaultplatform:VaultRequest";

describe("external cluster, a named stack (AppRole login, no namespace)", () => {
  it("logs in with the program's AppRole and keeps the secret-id secret", async () => {
    await buildProfile(
      "dev",
      {
        server: {
          mode: "external",
          flavor: "vault",
          address: "https://vault.example.internal:8200",
          auth: { method: "approle", roleId: "program-role" },
        },
        postgres: { host: "pg.example.internal" },
        // The program logs in at the admin's auth/approle; the apps' AppRole goes beside it.
        approle: { path: "apps" },
      },
      { vaultToken: "", vaultSecretId: "program-secret-id" },
    );
    expect(ofType(NAMESPACE_TYPE)).toHaveLength(0);
    expect(ofType(T.vaultProvider).map((provider) => provider.name)).toEqual(["platform-vault"]);
    const provider = named("platform-vault").inputs;
    const login = JSON.parse(provider.authLogin);
    expect(login).toMatchObject({ path: "auth/approle/login", useRootNamespace: true });
    expect(login.parameters).toEqual({
      role_id: "program-role",
      secret_id: "program-secret-id",
    });
    expect(provider.namespace).toBeUndefined();
    expect(ofType(REQUEST_TYPE)).toHaveLength(2);
    for (const request of ofType(REQUEST_TYPE)) {
      expect(request.inputs.login).toEqual({
        method: "approle",
        path: "approle",
        roleId: "program-role",
      });
      expect(request.inputs.secretId).toBe("program-secret-id");
    }
  });
});
