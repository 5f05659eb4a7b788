/** The one pull-request comment of this tool: created once, then edited in place. */
import { COMMENT_MARKER } from "./comment";

export interface IssueComment {
  readonly id: number;
  readonly body: string;
}

export interface CommentApi {
  listComments(pr: number): Promise<IssueComment[]>;
  createComment(pr: number, body: string): Promise<void>;
  updateComment(id: number, body: string): Promise<void>;
}

export async function upsertComment(
  api: CommentApi,
  pr: number,
  body: string,
): Promise<"created" | "updated"> {
  const existing = (await api.listComments(pr)).find((comment) =>
    comment.body.startsWith(COMMENT_MARKER),
  );
  if (existing) {
    await api.updateComment(existing.id, body);
    return "updated";
  }
  await api.createComment(pr, body);
  return "created";
}

/** GitHub's REST API for `owner/name`, with the workflow's GITHUB_TOKEN. */
export function githubCommentApi(
  repository: string,
  token: string,
  fetchImpl: typeof fetch = fetch,
): CommentApi {
  const base = `${process.env.GITHUB_API_URL ?? "https://api.github.com"}/repos/${repository}`;
  const request = async (method: string, url: string, body?: unknown) => {
    const response = await fetchImpl(url, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: "application/vnd.github+json",
        "Content-Type": "application/json",
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      throw new Error(`GitHub ${method} ${url.replace(base, "")} answered HTTP ${response.status}`);
    }
    return response.json() as Promise<unknown>;
  };
  return {
    async listComments(pr) {
      const comments: IssueComment[] = [];
      for (let page = 1; ; page++) {
        const batch = (await request(
          "GET",
          `${base}/issues/${pr}/comments?per_page=100&page=${page}`,
        )) as IssueComment[];
        comments.push(...batch.map(({ id, body }) => ({ id, body })));
        if (batch.length < 100) {
          return comments;
        }
      }
    },
    async createComment(pr, body) {
      await request("POST", `${base}/issues/${pr}/comments`, { body });
    },
    async updateComment(id, body) {
      await request("PATCH", `${base}/issues/comments/${id}`, { body });
    },
  };
}
