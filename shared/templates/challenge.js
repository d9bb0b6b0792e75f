// Piazza's form challenge (see shared/src/web/challenge.rs): for each form with a
// data-challenge attribute (the number of leading zero bits asked for), find n such that
// SHA-256("<challenge>:<n>") starts with that many zero bits, and put n in the form's
// "solution" field. Plain JavaScript with its own SHA-256: no outside service, no library.
// Without JavaScript the form still works (the server then waits a few seconds and counts it
// against a tighter limit).
(function () {
  "use strict";
  var K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ]);
  var W = new Uint32Array(64);
  var IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

  // One SHA-256 compression of the 64 bytes of `bytes` at `o` into the state `H` (8 words).
  function compress(H, bytes, o) {
    for (var t = 0; t < 16; t++) {
      var i = o + 4 * t;
      W[t] = (bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3];
    }
    for (t = 16; t < 64; t++) {
      var w15 = W[t - 15], w2 = W[t - 2];
      var s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      var s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
    }
    var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
    for (t = 0; t < 64; t++) {
      var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      var t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[t] + W[t]) | 0;
      var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      var t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0;
      d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    H[0] = (H[0] + a) | 0; H[1] = (H[1] + b) | 0; H[2] = (H[2] + c) | 0; H[3] = (H[3] + d) | 0;
    H[4] = (H[4] + e) | 0; H[5] = (H[5] + f) | 0; H[6] = (H[6] + g) | 0; H[7] = (H[7] + h) | 0;
  }

  // SHA-256 of `prefix + suffix` (ASCII) with the prefix's whole blocks hashed once: `hasher`
  // returns a function of the suffix that fills `out` (8 words) with the digest.
  function hasher(prefix) {
    var whole = prefix.length - (prefix.length % 64);
    var mid = new Int32Array(IV);
    var block = new Uint8Array(64);
    for (var o = 0; o < whole; o += 64) {
      for (var i = 0; i < 64; i++) block[i] = prefix.charCodeAt(o + i) & 0xff;
      compress(mid, block, 0);
    }
    var rest = prefix.slice(whole);
    var tail = new Uint8Array(256);
    return function (suffix, out) {
      var text = rest + suffix;
      var length = text.length;
      var size = ((length + 9 + 63) >> 6) * 64;
      if (size > tail.length) tail = new Uint8Array(size);
      tail.fill(0, 0, size);
      for (var i = 0; i < length; i++) tail[i] = text.charCodeAt(i) & 0xff;
      tail[length] = 0x80;
      var bits = (whole + length) * 8;
      tail[size - 4] = (bits >>> 24) & 0xff;
      tail[size - 3] = (bits >>> 16) & 0xff;
      tail[size - 2] = (bits >>> 8) & 0xff;
      tail[size - 1] = bits & 0xff;
      for (i = 0; i < 8; i++) out[i] = mid[i];
      for (var o = 0; o < size; o += 64) compress(out, tail, o);
      return out;
    };
  }

  // The SHA-256 digest of an ASCII string, as 8 words.
  function sha256(text) {
    return hasher("")(text, new Int32Array(8));
  }

  // Leading zero bits of a digest (8 words), up to 64.
  function leadingZeros(digest) {
    var first = Math.clz32(digest[0]);
    return first < 32 ? first : 32 + Math.clz32(digest[1]);
  }

  // Solves `token` for `bits`, a slice at a time so the page stays responsive; calls
  // done(solution, milliseconds).
  function solve(token, bits, done) {
    var started = Date.now();
    var hash = hasher(token + ":");
    var digest = new Int32Array(8);
    var n = 0;
    function slice() {
      for (var end = n + 20000; n < end; n++) {
        if (leadingZeros(hash(String(n), digest)) >= bits) {
          done(String(n), Date.now() - started);
          return;
        }
      }
      setTimeout(slice, 0);
    }
    slice();
  }

  function arm(form) {
    var bits = parseInt(form.getAttribute("data-challenge"), 10);
    var token = form.querySelector("input[name=challenge]");
    var solution = form.querySelector("input[name=solution]");
    if (!token || !solution || !(bits >= 0)) return;
    var solved = false, waiting = false;
    form.addEventListener("submit", function (event) {
      if (!solved) { event.preventDefault(); waiting = true; }
    });
    solve(token.value, bits, function (found, ms) {
      solution.value = found;
      solved = true;
      form.setAttribute("data-solved-ms", String(ms));
      if (waiting) form.submit();
    });
  }

  window.piazzaChallenge = { solve: solve, sha256: sha256 };
  var forms = document.querySelectorAll("form[data-challenge]");
  for (var i = 0; i < forms.length; i++) arm(forms[i]);
})();
