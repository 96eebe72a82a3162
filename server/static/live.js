// 马上办: keeps a page live over server-sent events, and reconnects by itself forever.
// The server sends "state" (the live part's HTML and what to do), "ping" while nothing
// changed, and "gone" when the ticket is no more (the page reloads and says so).
(function () {
  "use strict";
  var live = document.getElementById("live");
  var conn = document.getElementById("conn");
  if (!live || !window.EventSource) return;
  var url = live.getAttribute("data-events");
  var alerted = live.getAttribute("data-alert") || "";
  var newest = live.getAttribute("data-newest") || "";
  var source = null, heard = Date.now(), timer = null;

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
