import * as fs from "fs";
import * as path from "path";
import { COMMENT_MARKER, StackPreview, renderComment } from "../../cli/gitops/comment";
import { CommentApi, upsertComment } from "../../cli/gitops/github";

const GOLDEN = path.join(__dirname, "../fixtures/golden");

const PREVIEWS: StackPreview[] = [
  {
    stack: "staging",
    changes: { same: 48, update: 1 },
    policy: [],
    access: [
      {
        policy: "app-reporting",
        subject: "app reporting",
        path: "secret/data/orders/*",
        added: ["read"],
        removed: [],
      },
    ],
  },
  {
    stack: "prod",
    changes: {},
    policy: [
      {
        rule: "approle-bound-cidrs",
        level: "mandatory",
        message: "AppRole role orders must bind tokenBoundCidrs | secretIdBoundCidrs",
      },
    ],
    access: [
      {
        policy: "app-orders",
        subject: "app orders",
        path: "transit/encrypt/orders",
        added: [],
        removed: ["update"],
      },
    ],
    error: "blocked by mandatory policies",
  },
];

describe("PR comment renderer (golden files)", () => {
  it("renders changes, policy findings and the access diff", () => {
    expect(renderComment(PREVIEWS, "0123456789abcdef0123")).toBe(
      fs.readFileSync(path.join(GOLDEN, "pr-comment.md"), "utf8"),
    );
  });

  it("says so when nothing changes access and no policy fires", () => {
    expect(
      renderComment([{ stack: "staging", changes: { same: 49 }, policy: [], access: [] }], "abc"),
    ).toBe(fs.readFileSync(path.join(GOLDEN, "pr-comment-quiet.md"), "utf8"));
  });
});

class FakeComments implements CommentApi {
  comments: { id: number; body: string; pr: number }[] = [
    { id: 1, pr: 7, body: "LGTM" },
    { id: 2, pr: 8, body: `${COMMENT_MARKER}\nother PR` },
  ];
  async listComments(pr: number) {
    return this.comments.filter((comment) => comment.pr === pr);
  }
  async createComment(pr: number, body: string) {
    this.comments.push({ id: this.comments.length + 1, pr, body });
  }
  async updateComment(id: number, body: string) {
    const comment = this.comments.find((c) => c.id === id);
    if (!comment) {
      throw new Error("no comment");
    }
    comment.body = body;
  }
}

describe("the PR comment", () => {
  it("is created once, then edited, never duplicated", async () => {
    const api = new FakeComments();
    expect(await upsertComment(api, 7, `${COMMENT_MARKER}\nfirst`)).toBe("created");
    expect(await upsertComment(api, 7, `${COMMENT_MARKER}\nsecond`)).toBe("updated");
    expect(await upsertComment(api, 7, `${COMMENT_MARKER}\nthird`)).toBe("updated");
    const ours = api.comments.filter((c) => c.pr === 7 && c.body.startsWith(COMMENT_MARKER));
    expect(ours).toEqual([{ id: 3, pr: 7, body: `${COMMENT_MARKER}\nthird` }]);
    expect(api.comments.find((c) => c.id === 2)?.body).toBe(`${COMMENT_MARKER}\nother PR`);
  });
});
