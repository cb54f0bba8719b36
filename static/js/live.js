// The live connection of every page: Socket.IO with a signed page token,
// snapshots, numbered events and gap detection per stream.
//
// Every event carries the session's sequence number (seq) and the stream it
// came on: the console and the screen each have one stream that carries every
// number; a phone has three (its own, its circle's and the public one) and
// hears nothing of other circles. A phone's stream numbers its messages
// (n = 1, 2, 3…); the snapshot says where each stream stood (streams). A
// message whose n is the next one is applied; an older one is a duplicate
// (dropped); a jump means something was missed (the page asks for a fresh
// snapshot). The same event can come on two streams (a fuller copy on the more
// specific one first): its content is applied once. Every 10 seconds the page
// also asks where its streams stand, so a page that missed the *last* message
// (a Redis hiccup between workers) catches up too.
//
// When the browser reports that the network is gone, the page stops using the
// socket at once (a half-dead connection would only swallow actions until a
// timeout) and shows that it is offline; when the network is back it connects
// again and gets a fresh snapshot.

const KEEP_APPLIED = 512;

export class Live {
  constructor({ token, onSnapshot, onEvent, onStatus, onNotice }) {
    this.seq = -1;          // the number of the last full snapshot (-1: none yet)
    this.sharedSeq = -1;    // of the last shared part a step change brought along
    this.positions = null;  // stream -> the n of its last message (from the snapshot)
    this.applied = new Set(); // event numbers above this.seq whose content is applied
    this.early = [];        // events that came before the first snapshot
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
    // a busy room's messages come in short batches, in order
    this.socket.on("events", (events) => events.forEach((event) => this.applyEvent(event)));
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
    if (partial) {
      this.sharedSeq = Math.max(this.sharedSeq, snap.seq);
      this.onSnapshot(snap, true);
      return;
    }
    if (snap.seq >= this.seq) {
      this.seq = snap.seq;
      this.sharedSeq = Math.max(this.sharedSeq, snap.seq);
      this.positions = snap.streams ? { ...snap.streams } : null;
      this.applied = new Set();
      this.onSnapshot(snap, false);
    }
    this.replayEarly();
  }

  // Events that came before the first snapshot, or while a snapshot was on its way,
  // weighed against it: what it holds is dropped, what is newer applied.
  replayEarly() {
    if (this.seq < 0 || this.resyncing) return;
    const early = this.early;
    this.early = [];
    early.forEach((event) => this.applyEvent(event));
  }

  applyEvent(event) {
    if (this.seq < 0 || this.resyncing) {
      if (this.early.length < 1000) this.early.push(event);
      return;
    }
    if (!this.positions || !event.stream) {
      this.applyNumbered(event);
      return;
    }
    if (!(event.stream in this.positions)) {
      this.resync(); // a stream this page did not know of (moved to another circle)
      return;
    }
    const n = event.n === undefined ? event.seq : event.n;
    const at = this.positions[event.stream];
    if (n <= at) return;
    if (n > at + 1 || event.reason === "unnumbered") {
      this.resync();
      return;
    }
    this.positions[event.stream] = n;
    this.applyContent(event);
  }

  // A server without streams: one sequence, every number to every page.
  applyNumbered(event) {
    const last = Math.max(this.seq, ...this.applied);
    if (event.seq <= last) return;
    if (event.seq > last + 1) {
      this.resync();
      return;
    }
    this.applyContent(event);
  }

  applyContent(event) {
    // content the snapshot already holds, or that came on another stream first
    if (event.seq <= this.seq || this.applied.has(event.seq)) return;
    const personal = (event.stream || "").startsWith("participant:");
    if (!personal && event.seq <= this.sharedSeq && event.type !== "resync") return;
    this.applied.add(event.seq);
    if (this.applied.size > KEEP_APPLIED) {
      const oldest = Math.min(...this.applied);
      this.applied.delete(oldest);
    }
    if (event.type !== "resync") this.onEvent(event);
    else if (event.snapshot) this.applySnapshot(event.snapshot, true);
    else this.resync();
  }

  // A failed snapshot (a busy server, a worker briefly without Redis) is asked
  // for again shortly, instead of waiting for the next check.
  async resync() {
    if (this.resyncing) return;
    this.resyncing = true;
    let answer;
    try {
      answer = await this.call("sync", {});
    } finally {
      this.resyncing = false;
    }
    if (answer.ok) this.applySnapshot(answer.snapshot);
    else if (this.connected) setTimeout(() => this.resync(), 1500 + Math.random() * 1000);
  }

  // Where do my streams stand? Behind on any of them (or on one the page does not
  // know): a fresh snapshot.
  async checkSeq() {
    if (!this.connected) return;
    const answer = await this.call("seq", {});
    if (!answer.ok) return;
    if (!answer.streams || !this.positions) {
      if (answer.seq > Math.max(this.seq, ...this.applied)) this.resync();
      return;
    }
    const behind = Object.entries(answer.streams).some(
      ([stream, n]) => !(stream in this.positions) || n > this.positions[stream]);
    if (behind) this.resync();
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
