import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { CONFIG_KEYS } from "../../stacks/config";

interface Declaration {
  type?: string;
  items?: { type?: string };
  description?: string;
  default?: unknown;
  secret?: boolean;
}

const project = parseYaml(fs.readFileSync(path.join(__dirname, "../../Pulumi.yaml"), "utf8")) as {
  name: string;
  config: Record<string, Declaration>;
};

describe("Pulumi.yaml config schema", () => {
  it("declares exactly the keys the program reads", () => {
    expect(Object.keys(project.config).sort()).toEqual(
      CONFIG_KEYS.map((key) => `${project.name}:${key}`).sort(),
    );
  });

  it.each(Object.entries(project.config))(
    "%s has a type, a description and a default",
    (_key, declaration) => {
      expect(["string", "boolean", "integer", "object", "array"]).toContain(declaration.type);
      expect((declaration.description ?? "").length).toBeGreaterThan(20);
      // Pulumi treats a declared key of the project's namespace without a default as required,
      // and refuses a plain default on a key declared secret.
      expect(declaration.default).toBeDefined();
      expect(declaration.secret).toBeUndefined();
      // The Pulumi CLI refuses to load a project whose array key does not type its items.
      if (declaration.type === "array") {
        expect(["string", "boolean", "integer", "object"]).toContain(declaration.items?.type);
      }
    },
  );
});
