import { recordedDockerNames, unrecordedDockerObjects } from "../../cli/unrecorded-docker";

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
    const list = (kind: "container" | "volume" | "network", stack: string) => {
      asked.push(`${kind} ${stack}`);
      return labelled[kind];
    };
    expect(unrecordedDockerObjects("pr-7", deployment, list)).toEqual([
      { kind: "container", name: "vp-pr-7-vault" },
      { kind: "volume", name: "vp-pr-7-logs" },
    ]);
    expect(asked).toEqual(["container pr-7", "volume pr-7", "network pr-7"]);
  });
});
