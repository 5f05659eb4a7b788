import {
  inRemovalOrder,
  recordedDockerNames,
  removeOwnDockerObject,
  stackLabelOf,
  unrecordedDockerObjects,
} from "../../cli/recovery/docker-objects";

const deployment = {
  deployment: {
    resources: [
      { type: "docker:index/container:Container", outputs: { name: "vp-pr-7-postgres" } },
      { type: "docker:index/volume:Volume", inputs: { name: "vp-pr-7-pgdata" } },
      { type: "vault:index/mount:Mount", outputs: { path: "secret" } },
    ],
    // A pending create is not in the state's resources: its object counts as unrecorded.
    pending_operations: [
      {
        type: "creating",
        resource: { type: "docker:index/container:Container", inputs: { name: "vp-pr-7-vault" } },
      },
    ],
  },
};

describe("Docker objects labelled with a stack that its state does not list", () => {
  it("reads the names of the Docker objects in the state", () => {
    expect([...recordedDockerNames(deployment)].sort()).toEqual([
      "vp-pr-7-pgdata",
      "vp-pr-7-postgres",
    ]);
    expect(recordedDockerNames({}).size).toBe(0);
  });

  it("lists the labelled ones the state lacks, containers before volumes and networks", () => {
    const labelled: Record<string, string[]> = {
      container: ["vp-pr-7-postgres", "vp-pr-7-vault"],
      volume: ["vp-pr-7-pgdata", "vp-pr-7-logs"],
      network: [],
    };
    const asked: string[] = [];
    const docker = (args: readonly string[]) => {
      asked.push(args.join(" "));
      const kind = args[0] === "ps" ? "container" : args[0];
      return labelled[kind].join("\n") + "\n";
    };
    expect(unrecordedDockerObjects("pr-7", deployment, docker)).toEqual([
      { kind: "container", name: "vp-pr-7-vault" },
      { kind: "volume", name: "vp-pr-7-logs" },
    ]);
    expect(asked).toEqual([
      "ps -a --filter label=vault-platform.stack=pr-7 --format {{.Names}}",
      "volume ls --filter label=vault-platform.stack=pr-7 --format {{.Name}}",
      "network ls --filter label=vault-platform.stack=pr-7 --format {{.Name}}",
    ]);
    // No Docker engine: nothing found.
    expect(unrecordedDockerObjects("pr-7", deployment, () => undefined)).toEqual([]);
  });
});

// Abridged `docker container inspect` / `docker volume inspect` output of Docker 26.
const containerInspect = JSON.stringify([
  {
    Id: "4a2e3239cd7a",
    Name: "/vp-pr-7-vault",
    Config: { Image: "openbao/openbao:2.6.2", Labels: { "vault-platform.stack": "pr-7" } },
  },
]);
const volumeInspect = JSON.stringify([
  { Driver: "local", Labels: { "vault-platform.stack": "pr-7" }, Name: "vp-pr-7-logs" },
]);

describe("removing a Docker object of the stack", () => {
  it("reads the stack label where each kind keeps it (a container in Config)", () => {
    expect(stackLabelOf("container", containerInspect)).toBe("pr-7");
    expect(stackLabelOf("volume", volumeInspect)).toBe("pr-7");
    expect(stackLabelOf("volume", JSON.stringify([{ Labels: null }]))).toBeUndefined();
  });

  it("removes what carries the stack's label, says so, and leaves anything else alone", () => {
    const calls: string[] = [];
    const docker = (args: readonly string[]) => {
      calls.push(args.join(" "));
      if (args[1] === "inspect") {
        return args[0] === "container" ? containerInspect : volumeInspect;
      }
      return "";
    };
    expect(
      removeOwnDockerObject({ kind: "container", name: "vp-pr-7-vault" }, "pr-7", docker),
    ).toBe(true);
    expect(removeOwnDockerObject({ kind: "volume", name: "vp-pr-7-logs" }, "pr-7", docker)).toBe(
      true,
    );
    // Another stack's object: inspected, never removed.
    expect(removeOwnDockerObject({ kind: "volume", name: "vp-pr-7-logs" }, "pr-8", docker)).toBe(
      false,
    );
    expect(calls).toEqual([
      "container inspect vp-pr-7-vault",
      "rm -f -v vp-pr-7-vault",
      "volume inspect vp-pr-7-logs",
      "volume rm vp-pr-7-logs",
      "volume inspect vp-pr-7-logs",
    ]);
  });

  it("reports an object that is gone as not removed, and a refused removal as an error", () => {
    expect(
      removeOwnDockerObject({ kind: "container", name: "gone" }, "pr-7", () => undefined),
    ).toBe(false);
    const refusing = (args: readonly string[]) =>
      args[1] === "inspect" ? volumeInspect : undefined;
    expect(() =>
      removeOwnDockerObject({ kind: "volume", name: "vp-pr-7-logs" }, "pr-7", refusing),
    ).toThrow(
      "could not remove the volume vp-pr-7-logs of pr-7: docker volume rm vp-pr-7-logs failed",
    );
  });

  it("orders removals containers first, each object once", () => {
    expect(
      inRemovalOrder([
        { kind: "volume", name: "v" },
        { kind: "container", name: "c" },
        { kind: "network", name: "n" },
        { kind: "container", name: "c" },
      ]),
    ).toEqual([
      { kind: "container", name: "c" },
      { kind: "volume", name: "v" },
      { kind: "network", name: "n" },
    ]);
  });
});
