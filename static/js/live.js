// The live connection of every page: Socket.IO with a signed page token,
// snapshots, numbered events and gap detection.
//
// Every event carries the session's sequence number. A page keeps the last
// number it applied: an older or equal one is a duplicate (dropped), a jump
// means something was missed (the page asks for a fresh snapshot). Every
// 10 seconds the page also asks for the latest number, so a page that
// missed the *last* events (a Redis hiccup between workers) catches up too.
//
// When the browser reports that the network is gone, the page stops using the
// socket at once (a half-dead connection would only swallow actions until a
// timeout) and shows that it is offline; when the network is back it connects
// again and gets a fresh snapshot.

export class Live {
  constructor({ token, onSnapshot, onEvent, onStatus, onNotice }) {
    this.seq = -1;
    this.onSnapshot = onSnapshot;
    this.onEvent = onEvent;
    // notices are not numbered (a rating: the console and screen re-read their results)
    this.onNotice = onNotice || (() => {});
    this.onStatus = onStatus || (() => {});
    this.listeners = [];
    this.status = "connecting";
    // WebSocket first (one long connection: no sticky sessions needed), but
    // when it fails — a venue proxy that refuses or strips the upgrade — the
    // same attempt goes on with long-polling (tryAllTransports) instead of
    // failing and retrying WebSocket for ever.
    this.socket = window.io({ auth: { token }, transports: ["websocket", "polling"],
                              tryAllTransports: true, reconnectionDelayMax: 5000 });
    this.socket.on("connect", () => {
      this.setStatus("connected");
      this.listeners.forEach((f) => f());
    });
    this.socket.on("disconnect", () => this.setStatus("offline"));
    this.socket.on("connect_error", (err) => {
      // A WebSocket that hangs instead of failing ends in the manager's
      // timeout, which tryAllTransports does not see: then start the next
      // attempts with polling (and upgrade from there when the upgrade works).
      if (err && err.message === "timeout") this.socket.io.opts.transports = ["polling", "websocket"];
      this.setStatus("offline");
    });
    this.socket.io.on("reconnect_attempt", () => { if (this.status !== "offline") this.setStatus("connecting"); });
    this.socket.on("snapshot", (snap) => this.applySnapshot(snap));
    this.socket.on("event", (event) => this.applyEvent(event));
    this.socket.on("notice", (notice) => this.onNotice(notice));
    this.timer = setInterval(() => this.checkSeq(), 10000);
    window.addEventListener("offline", () => {
      this.socket.disconnect();
      this.setStatus("offline");
    });
    window.addEventListener("online", () => {
      if (!this.socket.connected) {
        this.setStatus("connecting");
        this.socket.connect();
      }
    });
  }

  setStatus(status) {
    this.status = status;
    this.onStatus(status);
  }

  get connected() {
    return this.socket.connected && navigator.onLine !== false;
  }

  onConnect(fn) {
    this.listeners.push(fn);
  }

  // A partial snapshot is the shared part only (sent along with a step
  // change): the page keeps its personal part. An answer older than what the
  // page already shows (a slow sync overtaken by events) is dropped.
  applySnapshot(snap, partial = false) {
    if (snap.seq < this.seq) return;
    this.seq = snap.seq;
    this.onSnapshot(snap, partial);
  }

  applyEvent(event) {
    if (event.seq <= this.seq) return;
    const started = this.seq >= 0;
    if (started && event.seq > this.seq + 1) {
      this.resync();
      return;
    }
    this.seq = event.seq;
    if (event.type !== "resync") this.onEvent(event);
    else if (event.snapshot && started) this.applySnapshot(event.snapshot, true);
    else this.resync();
  }

  // A failed snapshot (a busy server, a worker briefly without Redis) is asked
  // for again shortly, instead of waiting for the next sequence check.
  async resync() {
    if (this.resyncing) return;
    this.resyncing = true;
    try {
      const answer = await this.call("sync", {});
      if (answer.ok) this.applySnapshot(answer.snapshot);
      else if (this.connected) setTimeout(() => this.resync(), 1500 + Math.random() * 1000);
    } finally {
      this.resyncing = false;
    }
  }

  async checkSeq() {
    if (!this.connected) return;
    const answer = await this.call("seq", {});
    if (answer.ok && answer.seq > this.seq) this.resync();
  }

  // Emit with an acknowledgement; resolves {ok:false, error:{code:"timeout"}} when none comes.
  call(name, data, timeout = 10000) {
    return new Promise((resolve) => {
      if (!this.connected) {
        resolve({ ok: false, error: { code: "offline" } });
        return;
      }
      this.socket.timeout(timeout).emit(name, data, (err, answer) => {
        if (err) resolve({ ok: false, error: { code: "timeout" } });
        else resolve(answer || { ok: false, error: { code: "empty" } });
      });
    });
  }
}

// Show a Live status in a [data-connection] element: text plus data-state for the icon.
export function showStatus(node, status, strings) {
  if (!node) return;
  const text = { connected: strings.connected, connecting: strings.connecting, offline: strings.offline }[status];
  if (node.textContent !== text) node.textContent = text;
  node.dataset.state = status;
}
