// The phone's outbox: what a participant posts is kept in localStorage with a
// client id until the server acknowledges it, and sent again after any
// reconnect. The server stores by client id at most once, so resending is safe.

// store_unavailable: the server could not reach its store for a moment (503); nothing was
// decided, so the item waits and goes again.
const TRANSIENT = new Set(["offline", "timeout", "empty", "server_error", "rate_limited",
  "store_unavailable"]);

function newClientId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class Outbox {
  constructor(live, key, { onChange, onDelivered }) {
    this.live = live;
    this.key = `facilitator-outbox:${key}`;
    this.onChange = onChange || (() => {});
    this.onDelivered = onDelivered || (() => {});
    this.items = this.load();
    this.flushing = false;
    live.onConnect(() => this.flush());
    window.addEventListener("online", () => this.flush());
    setInterval(() => this.flush(), 5000);
  }

  load() {
    try {
      const items = JSON.parse(localStorage.getItem(this.key) || "[]");
      return items.map((i) => (i.state === "sending" ? { ...i, state: "waiting" } : i));
    } catch {
      return [];
    }
  }

  save() {
    try {
      localStorage.setItem(this.key, JSON.stringify(this.items));
    } catch {
      /* private mode without storage: the item still lives in memory */
    }
    this.onChange(this.items);
  }

  // Queue an action (post, react, endorse) and try to send it now. A newer reaction to
  // the same thing replaces one that has not left yet.
  add(event, data, summary, replaces = null) {
    if (replaces) this.items = this.items.filter((i) => !(i.event === event && i.state !== "sending" && replaces(i)));
    const item = { id: newClientId(), event, data: { ...data }, summary, state: "waiting" };
    item.data.client_id = item.id;
    this.items.push(item);
    this.save();
    this.flush();
    return item;
  }

  pending(event, match) {
    return this.items.find((i) => i.event === event && i.state !== "failed" && match(i.data));
  }

  dismiss(id) {
    this.items = this.items.filter((i) => i.id !== id);
    this.save();
  }

  async flush() {
    if (this.flushing || !this.live.connected) return;
    this.flushing = true;
    try {
      for (const item of this.items.filter((i) => i.state !== "failed")) {
        if (!this.items.includes(item)) continue;
        item.state = "sending";
        this.onChange(this.items);
        const answer = await this.live.call(item.event, item.data);
        if (answer.ok) {
          this.items = this.items.filter((i) => i.id !== item.id);
          this.save();
          this.onDelivered(item, answer);
        } else if (TRANSIENT.has(answer.error && answer.error.code)) {
          item.state = "waiting";
          this.save();
          break;
        } else {
          item.state = "failed";
          item.error = answer.error ? answer.error.message : "";
          this.save();
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
