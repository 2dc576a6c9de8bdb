// 存证核验 in the reader's browser: the page's own check was the server's;
// this one trusts the server for nothing but the data. It fetches the
// school's published key, the signed checkpoint, the item and its entry and
// the inclusion proof, then checks with WebCrypto alone: the Ed25519
// signature on the checkpoint (C2SP signed-note), the entry's RFC 6962 leaf
// hash and the root the proof leads to (RFC 9162 §2.1.3.2), and the item's
// title, body and files against the hashes in the entry (docs/ledger.md).
(function () {
  "use strict";
  var box = document.getElementById("browser-check");
  var dataEl = document.getElementById("verify-data");
  if (!box || !dataEl || !window.crypto || !crypto.subtle || !window.fetch || !window.TextEncoder) {
    return; // the server's check stands alone
  }
  var data = JSON.parse(dataEl.textContent);
  var T = data.text;
  var enc = new TextEncoder();
  var list = box.querySelector(".checks");
  var heading = box.querySelector("h2");
  var alarm = box.querySelector(".verify-alarm");
  var note = box.querySelector(".key-used");
  var failed = false;
  box.hidden = false;

  function fmt(s) {
    var args = Array.prototype.slice.call(arguments, 1);
    return s.replace(/%[sd]/g, function () { return String(args.shift()); });
  }

  // line adds one check, marked ✓ or ✗ and said in words.
  function line(ok, text) {
    var li = document.createElement("li");
    li.className = "check " + (ok ? "check-ok" : "check-bad");
    var mark = document.createElement("span");
    mark.className = "mark";
    mark.setAttribute("aria-hidden", "true");
    mark.textContent = ok ? "✓" : "✗";
    var word = document.createElement("span");
    word.className = "visually-hidden";
    word.textContent = ok ? T.pass : T.fail;
    li.appendChild(mark);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(word);
    li.appendChild(document.createTextNode(text));
    list.appendChild(li);
    if (!ok) {
      failed = true;
    }
    return ok;
  }

  function finish(extra) {
    box.classList.remove("verify-wait");
    box.classList.add(failed ? "verify-bad" : "verify-ok");
    heading.textContent = failed ? T.done_bad : T.done_ok;
    (extra || []).forEach(function (t, i) {
      if (i > 0) {
        note.appendChild(document.createElement("br"));
      }
      note.appendChild(document.createTextNode(t));
    });
    box.setAttribute("data-done", failed ? "bad" : "ok");
  }

  function hex(buf) {
    return Array.prototype.map.call(new Uint8Array(buf), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function fromHex(s) {
    if (!/^[0-9a-f]{64}$/.test(s)) {
      throw new Error("bad hash");
    }
    var out = new Uint8Array(32);
    for (var i = 0; i < 32; i++) {
      out[i] = parseInt(s.substr(i * 2, 2), 16);
    }
    return out;
  }

  function fromBase64(s) {
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      out[i] = bin.charCodeAt(i);
    }
    return out;
  }

  function concat() {
    var n = 0, i;
    for (i = 0; i < arguments.length; i++) {
      n += arguments[i].length;
    }
    var out = new Uint8Array(n), at = 0;
    for (i = 0; i < arguments.length; i++) {
      out.set(arguments[i], at);
      at += arguments[i].length;
    }
    return out;
  }

  function sha256(bytes) {
    return crypto.subtle.digest("SHA-256", bytes).then(function (b) { return new Uint8Array(b); });
  }

  function equal(a, b) {
    if (a.length !== b.length) {
      return false;
    }
    for (var i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) {
        return false;
      }
    }
    return true;
  }

  function get(url, json) {
    // no-cache: the check is of what the server holds now, not of what
    // the browser kept from a minute ago.
    return fetch(url, { credentials: "same-origin", cache: "no-cache", headers: json ? { Accept: "application/json" } : {} }).then(function (r) {
      if (!r.ok) {
        throw new Error(url + ": " + r.status);
      }
      return json ? r.json() : r.text();
    });
  }

  // parseKey reads a signed-note verifier key: name+hash+base64(0x01‖key).
  function parseKey(vkey) {
    // The name and the hash hold no "+"; the key's base64 may.
    var m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey.trim());
    if (!m) {
      return null;
    }
    var parts = [m[1], m[2], m[3]];
    var raw = fromBase64(parts[2]);
    if (raw.length !== 33 || raw[0] !== 1) {
      return null;
    }
    return { name: parts[0], hash: parts[1], raw: raw, pub: raw.slice(1) };
  }

  // fingerprint is ledger.KeyFingerprint: the first 16 bytes of
  // SHA-256(0x01‖key) in groups of four hex digits.
  function fingerprint(key) {
    return sha256(key.raw).then(function (sum) {
      return hex(sum.slice(0, 16)).match(/.{4}/g).join(" ");
    });
  }

  // openNote checks the signed note with the key: the key ID is the first
  // four bytes of SHA-256(name‖"\n"‖0x01‖key), and the signature line
  // "— name base64(keyID‖signature)" signs the text. Other lines are
  // cosignatures, listed by name.
  function openNote(msg, key) {
    var split = msg.lastIndexOf("\n\n");
    if (split < 0 || msg.slice(-1) !== "\n") {
      return Promise.resolve({ ok: false });
    }
    var text = msg.slice(0, split + 1);
    var lines = msg.slice(split + 2, -1).split("\n");
    return sha256(concat(enc.encode(key.name + "\n"), key.raw)).then(function (id) {
      var want = id.slice(0, 4), sig = null, others = [];
      lines.forEach(function (l) {
        var m = /^— (\S+) (\S+)$/.exec(l);
        if (!m) {
          return;
        }
        var b;
        try {
          b = fromBase64(m[2]);
        } catch (e) {
          return; // not a signature: the key's own is then missing
        }
        if (m[1] === key.name && equal(b.slice(0, 4), want) && b.length === 68) {
          sig = b.slice(4);
        } else if (others.indexOf(m[1]) < 0) {
          others.push(m[1]);
        }
      });
      if (!sig) {
        return { ok: false };
      }
      return crypto.subtle.importKey("raw", key.pub, { name: "Ed25519" }, false, ["verify"]).then(function (k) {
        return crypto.subtle.verify({ name: "Ed25519" }, k, sig, enc.encode(text));
      }).then(function (ok) {
        return { ok: ok, text: text, cosigners: others };
      });
    });
  }

  // parseCheckpoint reads a C2SP checkpoint: origin, size, root hash.
  function parseCheckpoint(text) {
    var l = text.split("\n");
    if (l.length < 4 || !/^(0|[1-9][0-9]*)$/.test(l[1])) {
      return null;
    }
    var root = fromBase64(l[2]);
    return root.length === 32 ? { origin: l[0], size: Number(l[1]), root: root } : null;
  }

  // rootFromProof walks the inclusion proof up from the leaf, as RFC 9162
  // §2.1.3.2 says (tlog.CheckRecord does the same); null when it does not
  // fit the tree.
  function rootFromProof(index, size, leaf, proof) {
    if (index >= size) {
      return Promise.resolve(null);
    }
    var fn = index, sn = size - 1, i = 0;
    function step(r) {
      if (i === proof.length) {
        return sn === 0 ? r : null;
      }
      if (sn === 0) {
        return null;
      }
      var p = proof[i++], next;
      if (fn % 2 === 1 || fn === sn) {
        next = sha256(concat([1], p, r));
        if (fn % 2 === 0) {
          while (fn % 2 === 0 && fn !== 0) {
            fn = Math.floor(fn / 2);
            sn = Math.floor(sn / 2);
          }
        }
      } else {
        next = sha256(concat([1], r, p));
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
      return next.then(step);
    }
    return Promise.resolve(leaf).then(step);
  }

  // checkContent is gongkai.CheckLedgerContent: what differs from the
  // entry, and when personal data was lawfully removed.
  function checkContent(entry, c) {
    var mism = [], removed = "";
    function rm(at) {
      if (!at) {
        return false;
      }
      if (!removed || at < removed) {
        removed = at;
      }
      return true;
    }
    if (c.title !== entry.title_sha256 && !rm(data.text_removed)) {
      mism.push(T.title);
    }
    if (c.body !== entry.body_sha256 && !rm(data.text_removed)) {
      mism.push(T.body);
    }
    var logged = entry.attachments || [];
    if (c.files.length !== logged.length && !rm(data.files_removed)) {
      mism.push(T.count);
    } else {
      for (var i = 0; i < Math.min(c.files.length, logged.length); i++) {
        if (c.files[i] !== logged[i] && !rm(data.file_removed[i] || "") && !rm(data.files_removed)) {
          mism.push(fmt(T.file, i + 1));
        }
      }
    }
    return { ok: mism.length === 0, mismatches: mism, removed: removed };
  }

  function hashText(s) {
    return sha256(enc.encode(s)).then(hex);
  }

  var slug = encodeURIComponent(data.slug);
  var key, cp, opened, item, entry;
  heading.textContent = T.running;
  get("/s/" + slug + "/log/key").then(function (keys) {
    // The key in use comes first; retired keys follow, one a line.
    var published = keys.split("\n")[0];
    key = parseKey(published);
    if (!key || published.trim() !== data.key.trim()) {
      line(false, T.key_bad);
      if (!key) {
        throw null;
      }
    }
    return get("/s/" + slug + "/log/checkpoint");
  }).then(function (signed) {
    return openNote(signed, key).catch(function (e) {
      if (e && e.name === "NotSupportedError") {
        throw new Error(T.unsupported);
      }
      throw e;
    });
  }).then(function (n) {
    opened = n;
    cp = n.ok ? parseCheckpoint(n.text) : null;
    var ok = !!(cp && cp.origin === key.name);
    if (!line(ok, ok ? T.sig_ok : T.sig_bad)) {
      throw null;
    }
    return get("/api/v1/disclosures/" + data.item, true);
  }).then(function (d) {
    item = d;
    if (!d.ledger || typeof d.ledger.entry !== "string") {
      line(false, T.incl_bad);
      throw null;
    }
    try {
      entry = JSON.parse(d.ledger.entry);
    } catch (e) {
      entry = null;
    }
    if (!entry || entry.item !== data.item || entry.school !== data.slug) {
      line(false, T.entry_bad);
      throw null;
    }
    if (d.ledger.index >= cp.size) {
      // Appended after the latest checkpoint: signed within seconds.
      var li = document.createElement("li");
      li.className = "check check-wait";
      li.textContent = T.pending;
      list.appendChild(li);
      heading.textContent = T.pending;
      box.setAttribute("data-done", "wait");
      throw "wait";
    }
    return get("/api/v1/schools/" + slug + "/log/inclusion?index=" + d.ledger.index + "&size=" + cp.size, true);
  }).then(function (inc) {
    var proof;
    try {
      proof = (inc.proof || []).map(fromHex);
    } catch (e) {
      proof = null;
    }
    return sha256(concat([0], enc.encode(item.ledger.entry))).then(function (leaf) {
      return proof ? rootFromProof(item.ledger.index, cp.size, leaf, proof) : null;
    });
  }).then(function (root) {
    line(!!root && equal(root, cp.root), root && equal(root, cp.root) ? fmt(T.incl_ok, cp.size) : T.incl_bad);
    var files = (item.attachments || []).map(function (a, i) {
      return data.file_removed[i] ? "" : a.sha256;
    });
    return Promise.all([hashText(item.title || ""), hashText(item.body || "")]).then(function (h) {
      return checkContent(entry, { title: h[0], body: h[1], files: files });
    });
  }).then(function (c) {
    if (!c.ok) {
      var text = fmt(T.content_bad, c.mismatches.join(T.sep));
      alarm.textContent = text;
      alarm.hidden = false;
      line(false, text);
    } else if (c.removed) {
      line(true, fmt(T.removed, data.days[c.removed] || c.removed));
    } else {
      line(true, T.content_ok);
    }
    return fingerprint(key);
  }).then(function (fp) {
    finish([fmt(T.key_used, key.name, fp), opened.cosigners.length ? fmt(T.cosigned, opened.cosigners.join(T.sep)) : T.no_cosign]);
  }).catch(function (e) {
    if (e === "wait") {
      return;
    }
    if (e) {
      line(false, e.message === T.unsupported ? T.unsupported : fmt(T.failed, T.network));
    }
    finish();
  });
})();
