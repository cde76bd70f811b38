// The API client: fetch with the bearer token, problem+json errors as ApiError, the next page from the Link header.
import { errorWords } from "./error-words.js";
import { session, signOut } from "./session.js";

export class ApiError extends Error {
  constructor(status, codes, detail) {
    super(detail || codes.join(", ") || `HTTP ${status}`);
    this.status = status;
    this.codes = codes;
  }

  get words() {
    return this.codes.map((code) => errorWords[code]).find(Boolean) ?? this.message;
  }
}

// options: { method, json, headers } (a send passes its Idempotency-Key in headers). Answers { body, next }.
export async function api(path, options = {}) {
  const headers = { Accept: "application/json", ...(options.headers ?? {}) };
  if (session()) headers.Authorization = `Bearer ${session().token}`;
  if (options.json !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method: options.method ?? "GET",
      headers,
      body: options.json !== undefined ? JSON.stringify(options.json) : undefined,
    });
  } catch {
    throw new ApiError(0, ["service_unavailable"], "The server can't be reached.");
  }
  if (response.status === 401 && session()) {
    signOut();
  }
  if (!response.ok) {
    let problem = {};
    try { problem = await response.json(); } catch { /* not JSON */ }
    const codes = Array.isArray(problem.errors) ? problem.errors : [];
    if (response.status === 429 && codes.length === 0) codes.push("rate_limited");
    if (response.status === 401 && codes.length === 0) codes.push("unauthorized");
    throw new ApiError(response.status, codes, problem.detail || problem.title);
  }
  return { body: response.status === 204 ? null : await response.json(), next: nextLink(response.headers.get("Link")) };
}

function nextLink(header) {
  const match = header?.match(/<([^>]+)>\s*;\s*rel="?next"?/);
  return match ? match[1] : null;
}
