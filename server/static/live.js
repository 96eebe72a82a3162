// 马上办: keeps a page live over server-sent events, and reconnects by itself forever.
// The server sends "state" (the live part's HTML and what to do), "ping" while nothing
// changed, and "gone" when the ticket is no more (the page reloads and says so).
// On the board, each call newer than the page is spoken: its sound is queued and the sounds
// play one after another in order, never cutting one off.
(function () {
  "use strict";
  var live = document.getElementById("live");
  var conn = document.getElementById("conn");
  if (!live || !window.EventSource) return;
  var url = live.getAttribute("data-events");
  var alerted = live.getAttribute("data-alert") || "";
  var newest = live.getAttribute("data-newest") || "";
  var source = null, heard = Date.now(), timer = null;
  var voice = live.getAttribute("data-voice") === "1";
  var spoken = Number(newest) || 0, sounds = [], playing = false;
  var tap = document.getElementById("tap");
  var heardCalls = window.mashangbanVoice = { queued: [], played: [] };

  function hear(calls) {
    for (var i = 0; i < calls.length; i++) {
      if (calls[i].seq > spoken) {
        spoken = calls[i].seq;
        if (voice) { sounds.push(calls[i].audio); heardCalls.queued.push(calls[i].audio); }
      }
    }
    play();
  }

  function play() {
    if (playing || !sounds.length) return;
    playing = true;
    var url = sounds[0], sound = new Audio(url), over = false;
    function done() {
      if (over) return;
      over = true; sounds.shift(); playing = false; heardCalls.played.push(url); play();
    }
    sound.onended = done;
    sound.onerror = done;
    var started = sound.play();
    if (started && started.catch) {
      started.catch(function (e) {
        if (e && e.name === "NotAllowedError") { over = true; playing = false; if (tap) tap.hidden = false; }
        else done();
      });
    }
  }

  // A browser that allows no sound before a touch: the first touch turns the voice on.
  document.addEventListener("click", function () { if (tap) tap.hidden = true; play(); });

  function ok() { heard = Date.now(); conn.hidden = true; }
  function lost() { conn.hidden = false; document.body.classList.add("offline"); }

  function state(event) {
    var data = JSON.parse(event.data);
    live.innerHTML = data.html;
    if (data.title) document.title = data.title;
    if (data.alert && data.alert !== alerted) {
      alerted = data.alert;
      if (navigator.vibrate) { try { navigator.vibrate([500, 200, 500, 200, 500]); } catch (e) {} }
    }
    if (data.calls) hear(data.calls);
    if (data.newest !== undefined && String(data.newest) !== newest) {
      newest = String(data.newest);
      var call = live.querySelector(".call");
      if (call) call.classList.add("fresh");
    }
    document.body.classList.remove("offline");
    ok();
  }

  function open() {
    if (source) source.close();
    source = new EventSource(url);
    source.addEventListener("open", ok);
    source.addEventListener("state", state);
    source.addEventListener("ping", ok);
    source.addEventListener("gone", function () { location.reload(); });
    source.onerror = function () {
      lost();
      // A refused or broken stream closes the source for good: open a new one.
      if (source.readyState === 2) again(3000);
    };
  }

  function again(ms) {
    if (timer) return;
    timer = setTimeout(function () { timer = null; open(); }, ms);
  }

  // Nothing heard for a long while (a dead network keeps the socket open): start over.
  setInterval(function () {
    if (Date.now() - heard > 40000) { lost(); heard = Date.now(); again(0); }
  }, 5000);
  open();
})();
